"""The code-generation suite, measured as the seed asks: first-pass success, success within 3
rounds, rounds and tokens per task, cost, and which errors were fixed by which feedback.

Without a configured model (``MCP_SRE_LLM_*``) it says so and measures only what it can: whether
the context pack a model would get holds an operation the task's checked outcome needs
(``pack_recall``). With one, the tasks run against whatever the bridge points at (the local
targets: moto and ``mcp-sre k8s-sim`` through the usual AWS/kubeconfig settings).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from mcp_sre.evaluation.models import Metric, SuiteResult

__all__ = ["codegen_suite", "fixes", "pack_recall"]

PACK_SIZE = 8


def _error_kind(round_: Any) -> str:
    """What went wrong in a round, as a short kind (the error type, not its message)."""
    if round_.reply_problem:
        return "unusable reply"
    if round_.checks is not None and not round_.checks.passed:
        return "static checks"
    run = round_.run
    if run is not None and run.error is not None:
        return str(run.error.type)
    return "test failed"


def fixes(results: list[Any]) -> dict[str, int]:
    """``"<error kind> -> fixed by <feedback>"`` counts: a failed round whose next round
    passed, the feedback being what was fed back (its first words)."""
    counts: Counter[str] = Counter()
    for result in results:
        for before, after in zip(result.rounds, result.rounds[1:], strict=False):
            if not before.ok and after.ok:
                feedback = (before.observation.strip().splitlines() or ["(none)"])[0][:60]
                counts[f"{_error_kind(before)} -> fixed by: {feedback}"] += 1
    return dict(counts.most_common())


def pack_recall(tasks: list[Any], finder: Any) -> tuple[float, list[str], list[str]]:
    """Share of safe tasks with ``expect_any`` whose context pack names one of them; also the
    tasks that miss, and those left out because their provider is not indexed here."""
    from mcp_sre.errors import McpSreError

    scored, hits, missing, absent = 0, 0, [], []
    for task in tasks:
        if task.unsafe or not task.expect_any:
            continue
        try:
            ids = {s.id for s in finder(task.request, task.providers, PACK_SIZE)}
        except McpSreError:  # e.g. a provider whose specs this index does not hold
            absent.append(task.id)
            continue
        scored += 1
        if ids & set(task.expect_any):
            hits += 1
        else:
            missing.append(task.id)
    return (round(hits / scored, 4) if scored else 0.0), missing, absent


def codegen_suite(dataset: Path) -> Any:
    from mcp_sre.evaluation.suites import Suite, SuiteSkipped

    def run(ctx: Any) -> SuiteResult:
        import anyio

        from mcp_sre.agents.cli import NO_ENDPOINT, _generator, _state
        from mcp_sre.agents.context import retrieval_finder
        from mcp_sre.agents.evaluate import load_tasks, run_eval
        from mcp_sre.llm.openai_compat import OpenAICompatLLM

        if not dataset.is_file():
            raise SuiteSkipped(f"no task file {dataset}")
        tasks = load_tasks(dataset)
        if ctx.codegen_factory is not None:
            finder, make_generator = ctx.codegen_factory()
        else:
            state = _state()
            finder = retrieval_finder(ctx.retriever, state.catalog.get)

            def make_generator(llm: Any) -> Any:
                return _generator(state, llm, 3, 60)

        recall, missing, absent = pack_recall(tasks, finder)
        metrics = [Metric(name="pack_recall", value=recall, band=0.01)]
        details: dict[str, Any] = {"tasks": len(tasks), "pack_missing": missing,
                                   "provider_not_indexed": absent,
                                   "providers": dict(Counter(
                                       p for t in tasks for p in t.providers or ["any"]))}
        llm = OpenAICompatLLM.from_env()
        if llm is None:
            details["note"] = f"{NO_ENDPOINT}: code generation not measured"
            return SuiteResult(name="codegen", status="ok", reason=details["note"],
                               metrics=metrics, details=details)
        generator = make_generator(llm)
        raw: list[Any] = []

        async def generate(task: Any) -> Any:
            result = await generator.generate(task.request, task.providers)
            raw.append(result)
            return result

        priced = llm.settings.price_input is not None or llm.settings.price_output is not None
        report = anyio.run(lambda: run_eval(tasks, generate, model=llm.settings.model,
                                            max_rounds=3, cost=lambda: llm.usage.cost
                                            if priced else None))
        n = max(1, len(report.results))
        metrics += [
            Metric(name="first_pass", value=report.first_round_pass_rate, band=0.05),
            Metric(name="within_3", value=report.pass_rate, band=0.05),
            Metric(name="rounds_per_task", value=report.mean_rounds, better="lower",
                   band=0.3, gate=False),
            Metric(name="tokens_per_task", value=report.mean_tokens, better="lower",
                   band=0, relative_band=0.25, gate=False, unit="tokens"),
            Metric(name="unsafe_accepted", value=report.unsafe_accepted, better="lower", band=0),
            Metric(name="seconds_per_task", value=report.mean_seconds, better="lower", band=0,
                   relative_band=1.0, gate=False, unit="s"),
        ]
        details.update(model=report.model, fixes=fixes(raw),
                       failed=[r.id for r in report.results if not r.passed],
                       cost_per_task=round(report.cost / n, 6) if report.cost else None)
        return SuiteResult(name="codegen", status="ok", metrics=metrics, details=details,
                           cost=report.cost)

    return Suite("codegen", "code generation on benchmarks/codegen_tasks.jsonl", run)
