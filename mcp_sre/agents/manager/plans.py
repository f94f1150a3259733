"""Plans: a DAG of steps over registered agents, run concurrently within a budget.

A step runs once every step it ``depends_on`` has finished and its ``when`` condition (over the
earlier observations) holds; otherwise it is skipped. Independent steps run at the same time
(one anyio task group). The budget caps the number of agent calls and the wall time; running
past it, or a cancellation from the caller, stops the steps still to run and marks them
cancelled. A step that fails does not stop the plan: steps that depend on it are skipped unless
they say ``always`` (the answer step does, so a failed step still yields a partial answer).

Conditions are a small language, not Python: ``PATH``, ``not PATH``, ``PATH OP VALUE`` with
OP one of ``== != > >= < <= in contains``, joined by ``and`` / ``or``; PATH is dotted over the
observations (``find.data.reuse``, ``diagnose.status``, ``request``). Inputs may hold
``{{PATH}}`` templates: a value that is exactly one template keeps the referenced value's type.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import yaml
from pydantic import BaseModel, Field, ValidationError

from mcp_sre.agents.manager.protocol import AgentContext, AgentResult, AgentSpec, AgentTask
from mcp_sre.errors import McpSreError

__all__ = [
    "Budget",
    "Plan",
    "PlanError",
    "PlanStep",
    "StepOutcome",
    "evaluate",
    "lookup",
    "render",
    "run_plan",
]

_TEMPLATE = re.compile(r"\{\{\s*([^}]+?)\s*\}\}")
_COMPARE = re.compile(r"^(.+?)\s+(==|!=|>=|<=|>|<|in|contains)\s+(.+)$")
_MISSING = object()


class PlanError(McpSreError):
    """A plan is malformed: unknown agent, a cycle, a dependency that does not exist."""


class PlanStep(BaseModel):
    """One step: which agent, with what, after what, under which condition."""

    id: str = Field(description="Unique within the plan; later steps refer to it")
    agent: str = Field(description="Registered agent name")
    inputs: dict[str, Any] = Field(default_factory=dict, description="Inputs; may hold "
                                   "{{step.data.x}} templates")
    depends_on: list[str] = Field(default_factory=list, description="Steps to finish first")
    when: str | None = Field(default=None, description="Condition on earlier observations")
    always: bool = Field(default=False, description="Run even when a dependency failed")
    why: str = Field(default="", description="Why this step is in the plan")


class Plan(BaseModel):
    """Steps plus where they came from."""

    name: str = Field(description="Playbook name, or 'react' for an LLM plan")
    source: str = Field(default="playbook", description="playbook | saved | llm")
    steps: list[PlanStep] = Field(description="The DAG, in any order")

    def validate_against(self, agents: dict[str, AgentSpec]) -> None:
        ids = [s.id for s in self.steps]
        if len(set(ids)) != len(ids):
            raise PlanError(f"plan {self.name!r} repeats a step id")
        for step in self.steps:
            if step.agent not in agents:
                raise PlanError(f"plan {self.name!r}: step {step.id!r} names unknown agent "
                                f"{step.agent!r}", hint="known: " + ", ".join(sorted(agents)))
            for dep in step.depends_on:
                if dep not in ids:
                    raise PlanError(f"plan {self.name!r}: step {step.id!r} depends on "
                                    f"missing step {dep!r}")
        seen: dict[str, int] = {}
        deps = {s.id: s.depends_on for s in self.steps}

        def visit(node: str) -> None:  # 1 = on the stack, 2 = done
            if seen.get(node) == 1:
                raise PlanError(f"plan {self.name!r} has a dependency cycle through {node!r}")
            if seen.get(node) == 2:
                return
            seen[node] = 1
            for dep in deps[node]:
                visit(dep)
            seen[node] = 2

        for node in ids:
            visit(node)

    @classmethod
    def from_yaml(cls, text: str) -> Plan:
        try:
            return cls.model_validate(yaml.safe_load(text))
        except (yaml.YAMLError, ValidationError) as exc:
            raise PlanError(f"not a plan: {str(exc).splitlines()[0]}") from exc


class Budget(BaseModel):
    """Limits of one run."""

    max_calls: int = Field(default=20, ge=1, description="Agent calls at most")
    seconds: float = Field(default=300.0, gt=0, description="Wall time at most")
    concurrency: int = Field(default=4, ge=1, description="Steps running at once")


class StepOutcome(BaseModel):
    """A step as it ran."""

    id: str
    agent: str
    status: str = Field(description="ok | failed | skipped | cancelled | needs_input")
    result: AgentResult | None = None
    inputs: dict[str, Any] = Field(default_factory=dict)
    started: float = 0.0
    seconds: float = 0.0
    note: str = Field(default="", description="Why skipped or cancelled")


# ------------------------------------------------------------------------- paths and conditions
def lookup(scope: dict[str, Any], path: str) -> Any:
    """``a.b.0.c`` over dicts, lists and pydantic models; missing -> None."""
    value: Any = scope
    for part in path.strip().split("."):
        if isinstance(value, BaseModel):
            value = value.model_dump()
        if isinstance(value, dict):
            value = value.get(part, _MISSING)
        elif isinstance(value, list) and part.lstrip("-").isdigit():
            index = int(part)
            value = value[index] if -len(value) <= index < len(value) else _MISSING
        elif part == "length" and isinstance(value, list | str):
            value = len(value)
        else:
            value = _MISSING
        if value is _MISSING:
            return None
    return value


def _literal(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text.strip()


def _atom(scope: dict[str, Any], text: str) -> bool:
    text = text.strip()
    if text.startswith("not "):
        return not _atom(scope, text[4:])
    match = _COMPARE.match(text)
    if not match:
        return bool(lookup(scope, text))
    left, op, right = lookup(scope, match.group(1)), match.group(2), _literal(match.group(3))
    try:
        if op == "==":
            return bool(left == right)
        if op == "!=":
            return bool(left != right)
        if op == "in":
            return left in (right or [])
        if op == "contains":
            return right in (left or [])
        if left is None:
            return False
        return bool({">": left > right, ">=": left >= right, "<": left < right,
                     "<=": left <= right}[op])
    except TypeError:
        return False


def evaluate(condition: str | None, scope: dict[str, Any]) -> bool:
    """Whether ``condition`` holds over ``scope`` (None holds)."""
    if not condition:
        return True
    return any(all(_atom(scope, part) for part in re.split(r"\s+and\s+", alt))
               for alt in re.split(r"\s+or\s+", condition))


def render(value: Any, scope: dict[str, Any]) -> Any:
    """Fill ``{{path}}`` templates in ``value`` (recursively through dicts and lists)."""
    if isinstance(value, str):
        whole = _TEMPLATE.fullmatch(value.strip())
        if whole:
            return lookup(scope, whole.group(1))
        return _TEMPLATE.sub(lambda m: "" if (v := lookup(scope, m.group(1))) is None
                             else str(v), value)
    if isinstance(value, dict):
        return {k: render(v, scope) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, scope) for v in value]
    return value


# ------------------------------------------------------------------------------------ running
StepHook = Callable[[StepOutcome], Awaitable[None]]


async def run_plan(
    plan: Plan,
    agents: dict[str, AgentSpec],
    ctx: AgentContext,
    *,
    request: str = "",
    scope: dict[str, Any] | None = None,
    done: dict[str, StepOutcome] | None = None,
    budget: Budget | None = None,
    on_start: StepHook | None = None,
    on_finish: StepHook | None = None,
) -> dict[str, StepOutcome]:
    """Run ``plan``; ``done`` holds steps finished earlier (a resumed run), which are not run
    again. Returns every step's outcome by id."""
    plan.validate_against(agents)
    budget = budget or Budget()
    outcomes: dict[str, StepOutcome] = dict(done or {})
    base = {"request": request, **(scope or {})}
    finished = {s.id: anyio.Event() for s in plan.steps}
    for step_id in outcomes:
        if step_id in finished:
            finished[step_id].set()
    calls = 0
    limiter = anyio.CapacityLimiter(budget.concurrency)
    steps = [s for s in plan.steps if s.id not in outcomes]

    def observations() -> dict[str, Any]:
        seen = {k: (o.result.model_dump() if o.result else {"status": o.status})
                for k, o in outcomes.items()}
        for k, o in outcomes.items():
            seen[k]["status"] = o.status
        return {**base, **seen, "steps": seen}

    async def finish(outcome: StepOutcome) -> None:
        outcomes[outcome.id] = outcome
        if on_finish is not None:
            with anyio.CancelScope(shield=True):
                await on_finish(outcome)
        finished[outcome.id].set()

    async def one(step: PlanStep) -> None:
        nonlocal calls
        for dep in step.depends_on:
            await finished[dep].wait()
        failed_deps = [d for d in step.depends_on if outcomes[d].status in ("failed", "cancelled")]
        scope_now = observations()
        stopped = [d for d in failed_deps if outcomes[d].status == "cancelled"]
        if stopped and not step.always:  # not run yet: a resume runs it
            await finish(StepOutcome(id=step.id, agent=step.agent, status="cancelled",
                                     note="depends on a stopped step: " + ", ".join(stopped)))
            return
        if failed_deps and not step.always:
            await finish(StepOutcome(id=step.id, agent=step.agent, status="skipped",
                                     note="depends on a failed step: " + ", ".join(failed_deps)))
            return
        if not evaluate(step.when, scope_now):
            await finish(StepOutcome(id=step.id, agent=step.agent, status="skipped",
                                     note=f"condition not met: {step.when}"))
            return
        if calls >= budget.max_calls:
            await finish(StepOutcome(id=step.id, agent=step.agent, status="cancelled",
                                     note=f"call budget of {budget.max_calls} spent"))
            return
        calls += 1
        inputs = render(step.inputs, scope_now)
        outcome = StepOutcome(id=step.id, agent=step.agent, status="running", inputs=inputs,
                              started=time.time())
        async with limiter:
            if on_start is not None:
                await on_start(outcome)
            started = time.perf_counter()
            task = AgentTask(agent=step.agent, inputs=inputs, request=request, why=step.why)
            try:
                result = await agents[step.agent].run(task, ctx)
            except McpSreError as exc:
                result = AgentResult.failed(f"{type(exc).__name__}: {exc}")
            except anyio.get_cancelled_exc_class():
                outcome.status, outcome.note = "cancelled", "stopped before it finished"
                outcome.seconds = time.perf_counter() - started
                with anyio.CancelScope(shield=True):
                    await finish(outcome)
                raise
            except Exception as exc:  # an agent's bug must not take the plan down
                result = AgentResult.failed(f"{type(exc).__name__}: {exc}")
            outcome.seconds = time.perf_counter() - started
        outcome.result, outcome.status = result, result.status
        await finish(outcome)

    with anyio.move_on_after(budget.seconds) as timer:
        async with anyio.create_task_group() as tg:
            for step in steps:
                tg.start_soon(one, step)
    for step in plan.steps:
        if step.id not in outcomes:
            reason = (f"time budget of {budget.seconds:g} s spent" if timer.cancelled_caught
                      else "the run was stopped")
            outcomes[step.id] = StepOutcome(id=step.id, agent=step.agent, status="cancelled",
                                            note=reason)
            if on_finish is not None:
                with anyio.CancelScope(shield=True):
                    await on_finish(outcomes[step.id])
    return outcomes
