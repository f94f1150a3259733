"""Suites: pluggable (a callable or a command returning JSON), skipped with the reason when
they cannot run, an error when they break; metrics compared within their noise band."""

from __future__ import annotations

from pathlib import Path

from mcp_sre.errors import NotFoundError
from mcp_sre.evaluation import EvalContext, Metric, SuiteSkipped, callable_suite, command_suite
from mcp_sre.evaluation.baseline import compare_metric
from mcp_sre.evaluation.runner import run_all
from mcp_sre.evaluation.suites import run_suite


def test_band_direction_and_gate() -> None:
    rate = Metric(name="top1", value=0.80, band=0.01)
    assert compare_metric("s", rate, 0.805).verdict == "same"
    assert compare_metric("s", rate, 0.70).verdict == "better"
    assert compare_metric("s", rate, 0.90).verdict == "regression"
    slow = Metric(name="p50_ms", value=300, better="lower", band=0, relative_band=1.0,
                  gate=False)
    assert compare_metric("s", slow, 200).verdict == "same"     # within 100% of 200
    assert compare_metric("s", slow, 100).verdict == "worse"    # ungated: worse, not failing
    assert compare_metric("s", rate, None).verdict == "new"


def test_skipped_errors_and_environment_faults(tmp_path: Path) -> None:
    ctx = EvalContext(data_dir=tmp_path)

    def no_model(_ctx: EvalContext) -> list[Metric]:
        raise SuiteSkipped("no LLM endpoint configured")

    def down(_ctx: EvalContext) -> list[Metric]:
        raise NotFoundError("cluster not reachable")

    def broken(_ctx: EvalContext) -> list[Metric]:
        raise KeyError("oops")

    results = [run_suite(callable_suite(n, n, f), ctx)
               for n, f in (("a", no_model), ("b", down), ("c", broken))]
    assert [r.status for r in results] == ["skipped", "skipped", "error"]
    assert "no LLM" in results[0].reason and "cluster not reachable" in results[1].reason
    report = run_all([callable_suite("c", "c", broken)], ctx, quick=True, baseline=None)
    assert report.failed and not report.regressions


def test_command_suite_reads_json_and_skips_missing_commands(tmp_path: Path) -> None:
    ctx = EvalContext(data_dir=tmp_path)
    missing = run_suite(command_suite("x", "x", ["eval", "no-such-suite", "--json"]), ctx)
    assert missing.status == "skipped" and "not in this build" in missing.reason
    script = tmp_path / "emit.py"
    script.write_text('import json; print(json.dumps({"accuracy": 0.75, "n": 8, "ok": 1, '
                      '"nested": {"p50_s": 1.5}}))')
    ok = run_suite(command_suite("y", "y", ["python", str(script)]), ctx)
    assert ok.status == "ok" and [m.name for m in ok.metrics] == ["accuracy"]
    nested = tmp_path / "nested.py"
    nested.write_text('import json; print(json.dumps({"modes": {"fast": {"accuracy": 0.5, '
                      '"n": 4}, "deep": {"accuracy": 1.0}}, "ok": True}))')
    deep = run_suite(command_suite("m", "m", ["python", str(nested)]), ctx)
    assert {m.name: m.value for m in deep.metrics} == {"modes.fast.accuracy": 0.5,
                                                       "modes.deep.accuracy": 1.0}
    counts = tmp_path / "counts.py"  # the shape of `mcp-sre eval modes --json`
    counts.write_text('import json; print(json.dumps({"n": 4, "passed": 3, "cases": []}))')
    modes = run_suite(command_suite("c", "c", ["python", str(counts)]), ctx)
    assert [(m.name, m.value) for m in modes.metrics] == [("accuracy", 0.75)]
    spec = {"nested.p50_s": {"better": "lower", "gate": False}}
    picked = run_suite(command_suite("z", "z", ["python", str(script)], metrics=spec), ctx)
    assert picked.metric("nested_p50_s").value == 1.5


def test_health_cases_that_need_a_missing_program_are_skipped_not_scored(
        tmp_path: Path, monkeypatch) -> None:
    """Without Prometheus installed a case with ``metrics.om`` cannot start its target; that is
    the machine's fault, so the case is skipped and the suite is skipped (a score over some of
    the cases would not compare with the baseline), never scored as a wrong report."""
    import shutil

    from mcp_sre.agents.health.evaluate_cases import format_summary, run_cases
    from mcp_sre.evaluation.suites import health_suite

    source = Path(__file__).parents[1] / "fixtures" / "eval" / "health" / "prometheus-errors"
    shutil.copytree(source, tmp_path / "cases" / "prometheus-errors")
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no prometheus, no promtool

    summary = run_cases(tmp_path / "cases")
    assert summary["n"] == 0 and summary["status_accuracy"] is None
    assert [s["case"] for s in summary["skipped"]] == ["prometheus-errors"]
    assert "prometheus" in summary["skipped"][0]["reason"]
    assert "SKIPPED" in format_summary(summary)

    result = run_suite(health_suite(tmp_path / "cases"), EvalContext(data_dir=tmp_path))
    assert result.status == "skipped" and "1 of 1 cases" in result.reason
    assert not result.metrics
