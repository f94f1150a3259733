"""The suites ``mcp-sre eval all`` runs, and how to add one.

A suite is a name and a callable ``run(ctx) -> SuiteResult`` (:func:`callable_suite`), or a
command line printing one JSON object whose numbers become metrics (:func:`command_suite`):
adding a suite is one ``register(...)`` line here or in a plugin's ``register_eval_suites``
hook. A suite whose targets are not running raises :class:`SuiteSkipped` with the reason;
anything else it raises marks it ``error`` (which fails the run).
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcp_sre.errors import McpSreError
from mcp_sre.evaluation.models import Metric, SuiteResult

__all__ = ["EvalContext", "Suite", "SuiteSkipped", "callable_suite", "command_suite",
           "default_suites", "run_suite"]

REPO = Path(__file__).resolve().parents[2]


class SuiteSkipped(Exception):
    """The suite cannot run here (no model, targets down, data missing); the message says why."""


@dataclass(frozen=True)
class Suite:
    """A named measurement. ``quick``: part of the fixed ``--quick`` subset."""

    name: str
    description: str
    run: Callable[[EvalContext], SuiteResult | list[Metric]]
    quick: bool = True


@dataclass
class EvalContext:
    """What suites share: where the labelled data is, and the parts built on first use."""

    data_dir: Path = REPO / "tests" / "fixtures" / "eval"
    bench_dir: Path = REPO / "benchmarks"
    mcp_sre: list[str] = field(default_factory=lambda: [sys.executable, "-m", "mcp_sre"])
    retriever_factory: Callable[[], Any] | None = None
    # () -> (operation finder, llm -> CodeGenerator); default: the user's server state
    codegen_factory: Callable[[], tuple[Any, Callable[[Any], Any]]] | None = None

    @functools.cached_property
    def retriever(self) -> Any:
        """One retrieval index for every retrieval suite (dense vectors finished first, so
        two runs rank the same)."""
        if self.retriever_factory is not None:
            return self.retriever_factory()
        from mcp_sre.config import load_settings
        from mcp_sre.llm.resolve import query_rewrite_llm
        from mcp_sre.retrieval.retriever import Retriever

        settings = load_settings()
        retriever = Retriever(settings, llm=query_rewrite_llm(settings))
        retriever.ensure_index(wait_dense=True)
        return retriever


def callable_suite(name: str, description: str, run: Callable[[EvalContext], Any], *,
                   quick: bool = True) -> Suite:
    return Suite(name, description, run, quick)


def command_suite(name: str, description: str, argv: list[str], *, quick: bool = True,
                  metrics: dict[str, dict[str, Any]] | None = None,
                  timeout_s: float = 1800) -> Suite:
    """A suite that runs ``mcp-sre ARGV`` (``ARGV[0] == "python"``: a script run with this
    interpreter) and reads its JSON. ``metrics``: key -> Metric fields for the numbers to keep
    (default: every top-level number between 0 and 1, higher is better). A command this
    build does not have is skipped, saying so."""

    def run(ctx: EvalContext) -> list[Metric]:
        cmd = ([sys.executable, *argv[1:]] if argv[0] == "python" else [*ctx.mcp_sre, *argv])
        if argv[0] != "python":
            probe = subprocess.run([*ctx.mcp_sre, *argv[:2], "--help"], capture_output=True,
                                   text=True, timeout=120)
            if probe.returncode != 0:
                raise SuiteSkipped(f"`mcp-sre {' '.join(argv[:2])}` is not in this build")
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s,
                              env={**os.environ, "PYTHONUNBUFFERED": "1"})
        if done.returncode != 0 and not done.stdout.strip().startswith("{"):
            raise RuntimeError(f"exit {done.returncode}: {done.stderr.strip()[-400:]}")
        try:
            data = json.loads(done.stdout)
        except ValueError as exc:
            raise RuntimeError(f"not JSON: {done.stdout[:200]!r}") from exc
        return metrics_from_json(data, metrics)

    return Suite(name, description, run, quick)


def metrics_from_json(data: dict[str, Any],
                      spec: dict[str, dict[str, Any]] | None) -> list[Metric]:
    if spec is None:  # every share (0-1) up to two levels down: {"modes": {"a": {"acc": ..}}}
        found = [Metric(name=k, value=v) for k, v in _shares(data, "", 3)]
        n, passed = data.get("n"), data.get("passed")
        if isinstance(n, int) and isinstance(passed, int) and n > 0 and \
                not any(m.name == "accuracy" for m in found):  # {"n": 3, "passed": 2, ...}
            found.insert(0, Metric(name="accuracy", value=round(passed / n, 4)))
        return found
    out = []
    for key, fields in spec.items():
        value: Any = data
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        name = fields.get("name", key.replace(".", "_"))
        out.append(Metric(**{**fields, "name": name},
                          value=float(value) if isinstance(value, int | float) else None))
    return out


def _shares(data: Any, prefix: str, depth: int) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    if not isinstance(data, dict) or depth == 0:
        return out
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, float) and 0 <= value <= 1:  # ints are counts, not shares
            out.append((name, float(value)))
        elif isinstance(value, dict):
            out += _shares(value, f"{name}.", depth - 1)
    return out


def run_suite(suite: Suite, ctx: EvalContext) -> SuiteResult:
    """Run one suite; never raises (a broken suite is an ``error`` result)."""
    started = time.perf_counter()
    try:
        out = suite.run(ctx)
        result = out if isinstance(out, SuiteResult) else SuiteResult(
            name=suite.name, status="ok", metrics=out)
    except SuiteSkipped as exc:
        result = SuiteResult(name=suite.name, status="skipped", reason=str(exc))
    except McpSreError as exc:  # environment faults (index, specs, targets): not the suite's
        result = SuiteResult(name=suite.name, status="skipped", reason=f"cannot run: {exc}")
    except Exception as exc:
        result = SuiteResult(name=suite.name, status="error",
                             reason=f"{type(exc).__name__}: {exc}"[:600])
    result.name = suite.name
    result.seconds = round(time.perf_counter() - started, 2)
    return result


# ------------------------------------------------------------------------ built-in suites
def _rate(name: str, value: float | None) -> Metric:
    return Metric(name=name, value=value, better="higher", band=0.01)


def _latency(name: str, value: float | None, unit: str) -> Metric:
    """Latency: reported and compared, not gated (timing on shared cores is noisy)."""
    return Metric(name=name, value=value, better="lower", band=0.0, relative_band=1.0,
                  gate=False, unit=unit)


def retrieval_suite(path: Path) -> Suite:
    name = "retrieval:" + path.stem.removeprefix("retrieval-")

    def run(ctx: EvalContext) -> SuiteResult:
        from mcp_sre.retrieval.evaluate import evaluate, load_cases

        cases = load_cases(path)
        multi = any(c.parts for c in cases)
        report = evaluate(ctx.retriever, cases, decompose=multi)
        metrics = [_rate("top1", report.top1), _rate("top3", report.top3),
                   _rate("mrr", report.mrr), _rate("recall10", report.recall10)]
        if multi:
            metrics.append(_rate("set_recall10", report.set_recall10))
        metrics += [_latency("p50_ms", report.p50_ms, "ms"),
                    _latency("p95_ms", report.p95_ms, "ms")]
        return SuiteResult(name=name, status="ok", metrics=metrics, details={
            "n": report.n, "decompose": multi,
            "misses": [m.query for m in report.misses][:50]})

    return Suite(name, f"Top-1/3, MRR, recall@10 of {path.name}", run,
                 quick=path.stat().st_size < 20_000)


def diagnosis_suite(folder: Path) -> Suite:
    name = "diagnosis" + folder.name.removeprefix("diagnosis")

    def run(ctx: EvalContext) -> SuiteResult:
        from mcp_sre.agents.diagnosis import build_diagnoser
        from mcp_sre.agents.diagnosis.evaluate import evaluate_cases

        diagnoser = build_diagnoser()
        pm = diagnoser.sandbox.pm
        first = next(iter(sorted(p.parent for p in folder.glob("*/case.yaml"))), None)
        if first is None:
            raise SuiteSkipped(f"no cases under {folder}")
        if pm.hook.replay_cluster(folder=first) is None:
            raise SuiteSkipped("no plugin can serve the recorded clusters (replay_cluster)")
        report = evaluate_cases(folder, diagnoser, lambda case: pm.hook.replay_cluster(
            folder=case))
        return SuiteResult(name=name, status="ok", metrics=[
            _rate("accuracy", report.accuracy), _latency("p50_s", report.p50_s, "s")],
            details={"n": report.n, "failed": [c.name for c in report.cases if not c.passed]})

    return Suite(name, f"root causes right, no LLM ({folder.name})", run)


def health_suite(folder: Path) -> Suite:
    def run(ctx: EvalContext) -> SuiteResult:
        from mcp_sre.agents.health.evaluate_cases import run_cases

        summary = run_cases(folder)
        if summary["skipped"]:  # a score over some of the cases is not comparable with a baseline
            first = summary["skipped"][0]["reason"]
            raise SuiteSkipped(f"{len(summary['skipped'])} of "
                               f"{len(summary['skipped']) + summary['n']} cases cannot start "
                               f"their local targets on this machine: {first}")
        broken = [c for c in summary["cases"] if "error" in c]
        if broken and len(broken) == len(summary["cases"]):
            raise SuiteSkipped(f"no case could start its local targets: {broken[0]['error']}")
        return SuiteResult(name="health", status="ok", metrics=[
            _rate("status_accuracy", summary["status_accuracy"]),
            _rate("precision", summary["precision"]), _rate("recall", summary["recall"]),
            _latency("p50_s", summary["p50_s"], "s")],
            details={"n": summary["n"], "errors": [c["case"] for c in broken]})

    return Suite("health", "health status and unhealthy components on local targets", run)


def default_suites(ctx: EvalContext) -> list[Suite]:
    """The built-in suites, in report order, then the plugins' (``register_eval_suites``)."""
    from mcp_sre.evaluation.codegen import codegen_suite

    suites: list[Suite] = []
    data = ctx.data_dir
    if data.is_dir():
        retrieval = sorted(data.glob("retrieval-*.jsonl")) + sorted(data.glob("awscli-*.jsonl"))
        suites += [retrieval_suite(p) for p in retrieval]
    suites.append(command_suite(
        "reuse", "find_tool reuse of the starter library over MCP (benchmarks/bench_reuse.py)",
        ["python", str(ctx.bench_dir / "bench_reuse.py"), "--json", "--no-calls"],
        metrics=REUSE_METRICS))
    suites.append(codegen_suite(ctx.bench_dir / "codegen_tasks.jsonl"))
    suites.append(command_suite(
        "learning", "feedback on part A's requests helps its paraphrases, not part B "
        "(benchmarks/bench_learning.py)", ["python", str(ctx.bench_dir / "bench_learning.py"),
                                           "--json"], quick=False, metrics=LEARNING_METRICS))
    if data.is_dir():
        suites += [diagnosis_suite(p) for p in sorted(data.glob("diagnosis*")) if p.is_dir()]
        if (data / "health").is_dir():
            suites.append(health_suite(data / "health"))
    suites.append(command_suite("modes", "the three modes (mcp-sre eval modes)",
                                ["eval", "modes", "--json"]))
    suites.append(command_suite("multi-turn", "multi-turn conversations (mcp-sre eval "
                                "multi-turn)", ["eval", "multi-turn", "--json"]))
    suites += plugin_suites()
    return suites


REUSE_METRICS: dict[str, dict[str, Any]] = {
    "server.original.rate": {"name": "reuse_original"},
    "server.paraphrase.rate": {"name": "reuse_paraphrase"},
    "server.heldout.rate": {"name": "reuse_heldout"},
    "server.heldout.top1": {"name": "top1_heldout"},
    "server.negative.reused": {"name": "negatives_reused", "better": "lower", "band": 0},
    "server.heldout.find_ms_p50": {"name": "find_ms_p50", "better": "lower", "band": 0,
                                   "relative_band": 1.0, "gate": False, "unit": "ms"},
}


LEARNING_METRICS: dict[str, dict[str, Any]] = {
    "a_failed_before.top1_after": {"name": "a_failed_top1_after", "band": 0.05},
    "a_paraphrases.top1_after": {"name": "a_paraphrases_top1_after", "band": 0.02},
    "b.top1_after": {"name": "b_top1_after", "band": 0.01},
}


def plugin_suites() -> list[Suite]:
    from mcp_sre.plugin_manager import make_plugin_manager

    found: list[Suite] = []
    hook = getattr(make_plugin_manager().hook, "register_eval_suites", None)
    if hook is not None:
        hook(register=lambda suite: found.append(suite))
    return found


def select(suites: Iterable[Suite], names: list[str], quick: bool) -> list[Suite]:
    """``names`` (exact, or a prefix before ``:``: ``retrieval`` = every retrieval set)."""
    chosen = [s for s in suites if not quick or s.quick]
    if names:
        chosen = [s for s in chosen if s.name in names or s.name.split(":")[0] in names]
    return chosen
