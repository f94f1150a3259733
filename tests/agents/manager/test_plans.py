"""Plans: DAG order, parallel steps, conditions on observations, failure, budget, cancel."""

from __future__ import annotations

import time
from typing import Any

import anyio
import pytest

from mcp_sre.agents.manager import AgentContext, Budget, Plan, PlanError, run_plan
from mcp_sre.agents.manager.plans import evaluate, render


def plan(*steps: dict[str, Any]) -> Plan:
    return Plan.model_validate({"name": "t", "steps": list(steps)})


def run(p: Plan, agents: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return anyio.run(lambda: run_plan(p, agents, AgentContext(services=None), **kw))


def test_independent_steps_run_in_parallel_and_dependents_wait(probe, probe_agents) -> None:
    p = plan({"id": "a", "agent": "sleep", "inputs": {"seconds": 0.3}},
             {"id": "b", "agent": "sleep", "inputs": {"seconds": 0.3}},
             {"id": "c", "agent": "echo", "depends_on": ["a", "b"],
              "inputs": {"x": "{{a.summary}}", "n": "{{b.data.at}}"}})
    started = time.perf_counter()
    out = run(p, probe_agents)
    elapsed = time.perf_counter() - started
    assert [out[k].status for k in "abc"] == ["ok", "ok", "ok"]
    assert probe.peak == 2 and elapsed < 0.55  # a and b overlapped
    assert out["c"].result.data["x"] == "slept 0.3"
    assert isinstance(out["c"].result.data["n"], float)  # a whole template keeps its type
    assert out["c"].started >= max(out["a"].started, out["b"].started)


def test_condition_on_an_earlier_observation(probe_agents) -> None:
    p = plan({"id": "list", "agent": "pods", "inputs": {"namespace": "shop"}},
             {"id": "many", "agent": "echo", "depends_on": ["list"],
              "when": "list.data.count >= 2 and list.status == ok", "inputs": {"x": 1}},
             {"id": "none", "agent": "echo", "depends_on": ["list"],
              "when": "list.data.count == 0", "inputs": {"x": 2}})
    out = run(p, probe_agents)
    assert out["many"].status == "ok"
    assert out["none"].status == "skipped" and "condition" in out["none"].note


def test_a_failed_step_skips_dependents_but_not_always_steps(probe_agents) -> None:
    p = plan({"id": "bad", "agent": "fail"},
             {"id": "after", "agent": "echo", "depends_on": ["bad"]},
             {"id": "answer", "agent": "echo", "depends_on": ["bad", "after"], "always": True})
    out = run(p, probe_agents)
    assert out["bad"].status == "failed" and "boom" in out["bad"].result.errors[0]
    assert out["after"].status == "skipped"
    assert out["answer"].status == "ok"


def test_time_budget_cancels_the_remaining_steps(probe_agents) -> None:
    p = plan({"id": "slow", "agent": "sleep", "inputs": {"seconds": 5}},
             {"id": "next", "agent": "echo", "depends_on": ["slow"]})
    started = time.perf_counter()
    out = run(p, probe_agents, budget=Budget(seconds=0.3))
    assert time.perf_counter() - started < 2
    assert out["slow"].status == "cancelled" and out["next"].status == "cancelled"
    assert "time budget" in out["next"].note


def test_call_budget(probe, probe_agents) -> None:
    p = plan(*({"id": f"s{i}", "agent": "echo", "depends_on": [f"s{i - 1}"] if i else []}
               for i in range(4)))
    out = run(p, probe_agents, budget=Budget(max_calls=2))
    assert [out[f"s{i}"].status for i in range(4)] == ["ok", "ok", "cancelled", "cancelled"]
    assert len(probe.calls) == 2


def test_caller_cancellation_stops_remaining_steps(probe, probe_agents) -> None:
    p = plan({"id": "slow", "agent": "sleep", "inputs": {"seconds": 5}},
             {"id": "next", "agent": "echo", "depends_on": ["slow"]})
    seen: list[str] = []

    async def main() -> None:
        async def finished(outcome: Any) -> None:
            seen.append(f"{outcome.id}:{outcome.status}")

        with anyio.move_on_after(0.3):
            await run_plan(p, probe_agents, AgentContext(services=None), on_finish=finished)

    anyio.run(main)
    assert seen == ["slow:cancelled"] and [c[0] for c in probe.calls] == ["sleep"]


def test_done_steps_are_not_run_again(probe, probe_agents) -> None:
    p = plan({"id": "a", "agent": "echo", "inputs": {"x": 1}},
             {"id": "b", "agent": "echo", "depends_on": ["a"], "inputs": {"y": "{{a.data.x}}"}})
    first = run(p, probe_agents)
    probe.calls.clear()
    second = run(p, probe_agents, done={"a": first["a"]})
    assert [c[0] for c in probe.calls] == ["echo"] and second["b"].result.data == {"y": 1}


@pytest.mark.parametrize("steps, message", [
    ([{"id": "a", "agent": "nope"}], "unknown agent"),
    ([{"id": "a", "agent": "echo", "depends_on": ["b"]},
      {"id": "b", "agent": "echo", "depends_on": ["a"]}], "cycle"),
    ([{"id": "a", "agent": "echo", "depends_on": ["zz"]}], "missing step"),
])
def test_malformed_plans_are_refused(probe_agents, steps, message) -> None:
    with pytest.raises(PlanError, match=message):
        run(plan(*steps), probe_agents)


def test_condition_language() -> None:
    scope = {"a": {"status": "ok", "data": {"n": 3, "names": ["x", "y"], "flag": False}}}
    assert evaluate("a.data.n > 2 and a.status == ok", scope)
    assert not evaluate("a.data.flag", scope) and evaluate("not a.data.flag", scope)
    assert evaluate("a.data.names contains y", scope) and evaluate("a.data.n in [1, 3]", scope)
    assert evaluate("a.data.missing > 1 or a.data.names.length == 2", scope)
    assert not evaluate("a.data.missing > 1", scope)
    assert render({"q": "n={{a.data.n}}", "v": "{{a.data.names}}"}, scope) == {
        "q": "n=3", "v": ["x", "y"]}
