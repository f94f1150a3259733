"""The ReAct loop: with a model, plan step by step (Thought -> Action -> Observation).

Each turn the model sees the request, the session's history, the agents it may call and every
observation so far, and answers JSON: ``{"thought", "plan": [steps still to run], "final"}``.
The first ready steps of its plan run (through the same plan runner and records as a
playbook), their observations go back, and the model re-plans; a plan that differs from the
previous turn's remainder is recorded as a change with the thought that caused it. At most
``max_react_steps`` turns. A run that ends with an answer and at least one useful step is saved
as a playbook, so the next similar request needs no model.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError as PydanticValidationError

from mcp_sre.agents.manager.plans import Plan, PlanStep, StepOutcome
from mcp_sre.agents.manager.protocol import AgentContext
from mcp_sre.llm import Message

if TYPE_CHECKING:
    from mcp_sre.agents.manager.manager import InvestigateResult, ManagerAgent
    from mcp_sre.agents.manager.sessions import Resolution

__all__ = ["parse_reply", "react_run"]

SYSTEM = """You are the planner of an SRE assistant. You answer by calling agents, all
read-only. Reply with ONE JSON object and nothing else:
{"thought": "why", "plan": [{"id": "s1", "agent": "NAME", "inputs": {...},
  "depends_on": []}], "final": null}
List only the steps still to run; they run, you see what they observed, and you plan again.
When the observations answer the request, reply {"thought": "...", "plan": [],
"final": "the answer, citing what was observed"}. Agents:
"""
_JSON = re.compile(r"\{.*\}", re.S)


def parse_reply(text: str) -> dict[str, Any]:
    """The JSON object in a model reply (fenced or bare); {} when there is none."""
    match = _JSON.search(text or "")
    if not match:
        return {}
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def _agents_text(manager: ManagerAgent) -> str:
    return "\n".join(f"- {a.name}: {a.description}; inputs: "
                     + ", ".join(f"{k} ({v})" for k, v in a.inputs.items())
                     for a in manager.agents.values() if a.name != "answer")


def _observation(outcome: StepOutcome) -> str:
    result = outcome.result
    if result is None:
        return f"{outcome.id} ({outcome.agent}): {outcome.status} {outcome.note}"
    data = json.dumps(result.data, ensure_ascii=False, default=str)[:1500]
    return (f"{outcome.id} ({outcome.agent}): {outcome.status}: {result.summary[:500]}\n"
            f"data: {data}" + (f"\nerrors: {result.errors}" if result.errors else ""))


async def react_run(manager: ManagerAgent, request: str, res: Resolution, ctx: AgentContext,
                    *, session_id: str | None, started: float) -> InvestigateResult:
    llm = ctx.llm
    history = ""
    if session_id:
        history = manager.sessions.context(manager.sessions.load(session_id))
    system = SYSTEM + _agents_text(manager)
    user = f"Request: {res.text}" + (f"\nConversation so far:\n{history}" if history else "")
    messages = [Message(role="system", content=system), Message(role="user", content=user)]
    plan = Plan(name="react", source="llm", steps=[])
    run_id = manager.records.create(request, plan, resolved=res.text, session_id=session_id)
    outcomes: dict[str, StepOutcome] = {}
    changes: list[str] = []
    previous: list[tuple[str, str]] = []
    final = ""
    for turn in range(manager.max_react_steps):
        reply = await llm.complete(messages, max_tokens=1024)
        manager.records.add_tokens(run_id, reply.input_tokens or 0, reply.output_tokens or 0,
                                   float(getattr(reply, "cost", 0.0) or 0.0))
        data = parse_reply(reply.text)
        messages.append(Message(role="assistant", content=reply.text[:4000]))
        if data.get("final"):
            final = str(data["final"])
            break
        try:
            proposed = [PlanStep.model_validate(s) for s in data.get("plan") or []]
        except (PydanticValidationError, TypeError) as exc:
            messages.append(Message(role="user", content=f"Observation: your plan is not "
                                    f"valid ({str(exc).splitlines()[0]}); reply JSON again."))
            continue
        proposed = [s for s in proposed if s.id not in outcomes]
        unknown = [s.agent for s in proposed if s.agent not in manager.agents]
        if not proposed or unknown:
            why = f"unknown agents {unknown}" if unknown else "an empty plan and no final answer"
            messages.append(Message(role="user", content=f"Observation: {why}; known agents: "
                                    f"{', '.join(manager.agents)}."))
            continue
        shape = [(s.agent, json.dumps(s.inputs, sort_keys=True)) for s in proposed]
        if turn and shape != previous:
            changes.append(f"turn {turn + 1}: {str(data.get('thought', ''))[:300]} -> "
                           + ", ".join(f"{s.id}:{s.agent}" for s in proposed))
        ready = [s for s in proposed if all(d in outcomes for d in s.depends_on)]
        previous = shape[len(ready):]
        plan = Plan(name="react", source="llm", steps=[*plan.steps, *ready])
        manager.records.set_plan(run_id, plan, changes[-1] if changes and turn else
                                 f"turn {turn + 1}: " + ", ".join(s.id for s in ready))
        outcomes, _ = await manager._run(run_id, plan, res, ctx, progress=ctx.progress,
                                         done=outcomes)
        observed = "\n".join(_observation(outcomes[s.id]) for s in ready)
        messages.append(Message(role="user", content=f"Observation:\n{observed}"))
    useful = any(o.status == "ok" for o in outcomes.values())
    status = "finished" if final and useful else "failed"
    result = manager._finish(run_id, request, res, plan, outcomes, status, session_id, started,
                             changes=changes)
    if final:
        result.answer = final + ("\n\n" + result.answer if result.answer else "")
        manager.records.finish(run_id, status, result.answer)
    if status == "finished":
        saved = _generalised(plan, request)
        path = manager.library.save(f"saved_{run_id.replace('-', '_')}", request, saved)
        result.changes.append(f"saved as playbook {path.stem}")
    return result


def _generalised(plan: Plan, request: str) -> Plan:
    """The plan with the request's own text replaced by ``{{request}}`` and an answer step."""
    def swap(value: Any) -> Any:
        if isinstance(value, str):
            return "{{request}}" if value.strip() == request.strip() else value
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        if isinstance(value, list):
            return [swap(v) for v in value]
        return value

    steps = [s.model_copy(update={"inputs": swap(s.inputs)}) for s in plan.steps]
    steps.append(PlanStep(id="answer", agent="answer", depends_on=[s.id for s in steps],
                          always=True, inputs={"steps": "{{steps}}",
                                               "order": [s.id for s in steps]}))
    return Plan(name=plan.name, source="saved", steps=steps)
