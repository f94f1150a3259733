"""The ManagerAgent: a request in, a plan run across the agents, an answer and a record out.

Order of choice for the plan: a playbook that fits the request (shipped, or saved from an
earlier model plan) runs without a model; else, with a model, the ReAct loop plans step by
step; else the fallback playbook looks for a tool and operations and says what it tried.
Every run and step is recorded (``records.py``) so ``resume`` continues after the last finished
step; a session (``sessions.py``) resolves follow-up references and remembers the answer.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
from pydantic import BaseModel, Field

from mcp_sre import observability
from mcp_sre.agents.manager.agents import load_agents
from mcp_sre.agents.manager.answer import compose_answer
from mcp_sre.agents.manager.builtin import namespace_in
from mcp_sre.agents.manager.plans import Budget, Plan, StepOutcome, run_plan
from mcp_sre.agents.manager.playbooks import CONFIDENT, PlaybookLibrary
from mcp_sre.agents.manager.protocol import AgentContext, AgentSpec, Entity
from mcp_sre.agents.manager.records import FINISHED_STEP, RunRecordError, RunStore
from mcp_sre.agents.manager.sessions import (
    Resolution,
    SessionStore,
    Turn,
    resolve,
    variation,
)
from mcp_sre.errors import ValidationError

__all__ = ["InvestigateResult", "ManagerAgent", "StepView"]

Progress = Callable[[str], Awaitable[None]]


class StepView(BaseModel):
    """A step as the user sees it in the result."""

    id: str
    agent: str
    status: str
    summary: str = ""
    note: str = ""
    seconds: float = 0.0


class InvestigateResult(BaseModel):
    """What ``investigate`` / ``mcp-sre ask`` returns."""

    run_id: str = Field(description="Run record id (for `mcp-sre runs show` and resume)")
    request: str = Field(description="The request as asked")
    resolved: str = Field(description="The request with session references filled in")
    session_id: str | None = None
    status: str = Field(description="finished | failed | interrupted | cancelled")
    answer: str = Field(description="The answer, or what was tried")
    plan: str = Field(description="Playbook name, or 'react'")
    source: str = Field(description="playbook | saved | llm | fallback")
    steps: list[StepView] = Field(default_factory=list, description="The plan as it ran")
    changes: list[str] = Field(default_factory=list, description="What changed the plan")
    entities: list[Entity] = Field(default_factory=list, description="What the answer named")
    data: dict[str, Any] = Field(default_factory=dict, description="Each step's data by id")
    seconds: float = 0.0
    resumed: bool = False


class ManagerAgent:
    """One per server (or CLI call); ``services`` is a ServerState (or anything with the same
    lazily built parts: settings, pm, catalog, sandbox, registry, retriever)."""

    def __init__(self, services: Any, *, home: Path | None = None,
                 agents: dict[str, AgentSpec] | None = None,
                 library: PlaybookLibrary | None = None, budget: Budget | None = None,
                 max_react_steps: int = 6) -> None:
        self.services = services
        home = Path(home or services.settings.home) / "manager"
        self.records = RunStore(home / "runs.sqlite")
        self.sessions = SessionStore(home / "sessions.sqlite")
        self.agents = agents if agents is not None else load_agents(services.pm)
        # playbooks are matched like tools: with the registry's matcher (its vocabulary and
        # embedder) when the services have a registry
        self.library = library or PlaybookLibrary(
            home / "playbooks", matcher=(lambda: services.registry.matcher)
            if hasattr(services, "registry") else None)
        self.budget = budget or Budget()
        self.max_react_steps = max_react_steps
        self._extra: dict[str, Any] = {}  # agents' per-manager caches (the diagnoser)

    # ------------------------------------------------------------------------------ public
    async def investigate(self, request: str = "", *, session_id: str | None = None,
                          resume: str | None = None, llm: Any = None,
                          ask_user: Any = None, progress: Progress | None = None,
                          stop_after: int | None = None) -> InvestigateResult:
        """Answer ``request`` (or continue run ``resume``). ``stop_after`` stops the run once
        that many steps have finished, as a crash would (for the resume evaluation)."""
        if resume:
            return await self._resume(resume, llm=llm, ask_user=ask_user, progress=progress)
        if not isinstance(request, str) or not request.strip():
            raise ValidationError("the request is empty",
                                  hint="ask a question, e.g. '列出CPU>80%的EC2实例'")
        request = request.strip()
        session = await anyio.to_thread.run_sync(self.sessions.load, session_id) \
            if session_id else None
        res = resolve(request, session)
        bindings = dict(res.bindings)
        named = namespace_in(request)  # a namespace the request names outright
        if named and "namespace" not in bindings:
            bindings["namespace"] = Entity(kind="namespace", value=named)
        res = res.model_copy(update={"bindings": bindings})
        matches = self.library.match(res.text, set(bindings))
        best = matches[0] if matches and matches[0].similarity >= CONFIDENT else None
        # a short follow-up with nothing bound ("那CPU超过90%的呢?") is the previous request
        # changed, even when its own words fit a playbook: alone it has lost what was asked
        # about (which cloud, which business)
        varied = variation(res, session) if best is None or not bindings else None
        if varied is not None:  # "那CPU超过90%的呢?": the previous request, changed
            again = self.library.match(varied.text, set(bindings))
            if again and again[0].similarity >= CONFIDENT:
                res, best = varied, again[0]
        ctx = self._context(llm, ask_user, progress, res)
        started = time.perf_counter()
        if best is None and llm is not None:
            from mcp_sre.agents.manager.react import react_run

            return await react_run(self, request, res, ctx, session_id=session_id,
                                   started=started)
        book = best.playbook if best else self.library.fallback()
        plan = book.plan()
        if best is None:
            plan.source = "fallback"
        run_id = self.records.create(request, plan, resolved=res.text, session_id=session_id)
        outcomes, status = await self._run(run_id, plan, res, ctx, progress=progress,
                                           stop_after=stop_after)
        if plan.source == "fallback" and status == "finished" and not any(
                o.agent in ("tool", "codegen") and o.status == "ok" for o in outcomes.values()):
            status = "failed"  # pointers to operations are what was tried, not an answer
        return self._finish(run_id, request, res, plan, outcomes, status, session_id, started)

    # ------------------------------------------------------------------------------ running
    def _context(self, llm: Any, ask_user: Any, progress: Progress | None,
                 res: Resolution) -> AgentContext:
        # per run: the bindings; shared by every run: the agents' caches (the diagnoser)
        extra = {"bindings": {k: v.model_dump() for k, v in res.bindings.items()},
                 "cache": self._extra}
        return AgentContext(services=self.services, llm=llm, ask_user=ask_user,
                            progress=progress, extra=extra)

    def _scope(self, res: Resolution, ctx: AgentContext) -> dict[str, Any]:
        return {"bindings": {k: v.model_dump() for k, v in res.bindings.items()},
                "llm": ctx.llm is not None}

    async def _run(self, run_id: str, plan: Plan, res: Resolution, ctx: AgentContext, *,
                   progress: Progress | None, done: dict[str, StepOutcome] | None = None,
                   attempt: int = 1, stop_after: int | None = None
                   ) -> tuple[dict[str, StepOutcome], str]:
        """Run ``plan`` with every step recorded; returns (outcomes, run status)."""
        obs = observability.current()
        finished = 0
        stopper = anyio.CancelScope()

        async def started(outcome: StepOutcome) -> None:
            await anyio.to_thread.run_sync(self.records.step, run_id, outcome, attempt)
            if progress is not None:
                await _quiet(progress, f"{outcome.id}: {outcome.agent} ...")

        async def ended(outcome: StepOutcome) -> None:
            nonlocal finished
            await anyio.to_thread.run_sync(self.records.step, run_id, outcome, attempt)
            if progress is not None:
                summary = outcome.result.summary.splitlines()[0][:120] if outcome.result and \
                    outcome.result.summary else outcome.note
                await _quiet(progress, f"{outcome.id}: {outcome.status} {summary}")
            if outcome.status in FINISHED_STEP and outcome.status != "skipped":
                finished += 1
                if stop_after is not None and finished >= stop_after:
                    stopper.cancel()

        with obs.agent_run("manager", plan=plan.name) as obs_run:
            agents = {name: _observed(spec, obs_run) for name, spec in self.agents.items()}
            outcomes: dict[str, StepOutcome] = {}
            try:
                with stopper:
                    outcomes = await run_plan(plan, agents, ctx, request=res.text,
                                              scope=self._scope(res, ctx), done=done,
                                              budget=self.budget, on_start=started,
                                              on_finish=ended)
            except BaseException:
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(self.records.finish, run_id, "cancelled",
                                                   "", "the caller cancelled the run")
                obs_run.outcome = "cancelled"
                raise
            if stopper.cancelled_caught:
                obs_run.outcome = "interrupted"
                return outcomes, "interrupted"
            ok = any(o.status == "ok" and o.agent != "answer" for o in outcomes.values())
            obs_run.outcome = "ok" if ok else "failed"
            return outcomes, "finished" if ok else "failed"

    def _finish(self, run_id: str, request: str, res: Resolution, plan: Plan,
                outcomes: dict[str, StepOutcome], status: str, session_id: str | None,
                started: float, changes: list[str] | None = None,
                resumed: bool = False) -> InvestigateResult:
        steps = {k: (o.result.model_dump() if o.result else {}) | {"status": o.status}
                 for k, o in outcomes.items()}
        final = outcomes.get("answer")
        if final is not None and final.status == "ok" and final.result is not None:
            answer = final.result.summary
        else:
            answer, _ = compose_answer(res.text, steps, [s.id for s in plan.steps])
        entities: list[Entity] = []
        for step in plan.steps:
            outcome = outcomes.get(step.id)
            if outcome is not None and outcome.result is not None:
                entities.extend(outcome.result.entities)
        entities.extend(v for v in res.bindings.values() if v not in entities)
        if status == "interrupted":
            answer = "(interrupted; resume with this run id)\n" + answer
        else:
            self.records.finish(run_id, status, answer)
        if session_id and status != "interrupted":
            self.sessions.append(session_id, Turn(seq=0, request=request, resolved=res.text,
                                                  answer=answer, entities=entities,
                                                  run_id=run_id, playbook=plan.name))
        return InvestigateResult(
            run_id=run_id, request=request, resolved=res.text, session_id=session_id,
            status=status, answer=answer, plan=plan.name, source=plan.source,
            steps=[StepView(id=s.id, agent=s.agent, status=outcomes[s.id].status,
                            summary=(outcomes[s.id].result.summary.splitlines() or [""])[0]
                            if outcomes[s.id].result else "", note=outcomes[s.id].note,
                            seconds=round(outcomes[s.id].seconds, 3))
                   for s in plan.steps if s.id in outcomes],
            changes=changes or [], entities=entities,
            data={k: (o.result.data if o.result else {}) for k, o in outcomes.items()},
            seconds=round(time.perf_counter() - started, 3), resumed=resumed)

    async def _resume(self, run_id: str, *, llm: Any, ask_user: Any,
                      progress: Progress | None) -> InvestigateResult:
        record = await anyio.to_thread.run_sync(self.records.get, run_id)
        if record.status == "finished":
            raise RunRecordError(f"run {run_id} is finished; there is nothing to resume",
                                 hint=f"see it with `mcp-sre runs show {run_id}`")
        done = {s.step_id: StepOutcome(id=s.step_id, agent=s.agent, status=s.status,
                                       result=s.result, inputs=s.inputs, started=s.started,
                                       seconds=s.seconds, note=s.note)
                for s in record.steps if s.status in FINISHED_STEP}
        attempt = self.records.reopen(run_id)
        res = Resolution(text=record.resolved or record.request)
        ctx = self._context(llm, ask_user, progress, res)
        started = time.perf_counter()
        outcomes, status = await self._run(run_id, record.plan, res, ctx, progress=progress,
                                           done=done, attempt=attempt)
        return self._finish(run_id, record.request, res, record.plan, outcomes, status,
                            record.session_id, started, changes=record.changes, resumed=True)


def _observed(spec: AgentSpec, obs_run: Any) -> AgentSpec:
    """The agent wrapped in the observability step of its kind (span, log event, count)."""

    async def run(task: Any, ctx: Any) -> Any:
        with obs_run.step(spec.name):
            return await spec.run(task, ctx)

    return AgentSpec(name=spec.name, run=run, description=spec.description, inputs=spec.inputs)


async def _quiet(progress: Progress, message: str) -> None:
    try:
        await progress(message)
    except Exception:  # a client that went away must not stop the run
        pass
