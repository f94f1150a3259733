"""``mcp-sre eval all`` end to end on a tiny real suite: the baseline is written only on
purpose, the report has its summary, plots and JSON, and a real ranking regression fails the
run (exit 1) while an unchanged run passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mcp_sre.cli import main


def _eval(*args: str) -> object:
    return CliRunner().invoke(main, ["eval", "all", *args], catch_exceptions=False)


def test_gate_passes_then_fails_on_a_real_regression(
        small_home: Path, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    baseline = tmp_path / "baseline.json"
    common = ["--quick", "--suite", "retrieval", "--data", str(data_dir),
              "--baseline", str(baseline)]
    first = _eval(*common, "--update-baseline", "--report", str(tmp_path / "r1"))
    assert first.exit_code == 0, first.output
    saved = json.loads(baseline.read_text())["suites"]["retrieval:tiny"]
    assert saved["top1"] >= 0.75 and "p50_ms" in saved
    report = (tmp_path / "r1" / "report.md").read_text()
    assert report.splitlines()[2].startswith("**PASS**")
    assert (tmp_path / "r1" / "quality.png").stat().st_size > 1000
    assert json.loads((tmp_path / "r1" / "report.json").read_text())["suites"][0]["status"] == "ok"

    same = _eval(*common, "--json")
    assert same.exit_code == 0, same.output
    assert {c["verdict"] for c in json.loads(same.output)["changes"]
            if c["metric"] in {"top1", "mrr"}} == {"same"}

    # A real regression: the reranker ranks its candidates backwards.
    from mcp_sre.retrieval.rerank import FeatureReranker

    original = FeatureReranker.rerank

    def backwards(self, f):  # type: ignore[no-untyped-def]
        ranked, scores = original(self, f)
        return ranked[::-1], -scores[::-1]

    monkeypatch.setattr(FeatureReranker, "rerank", backwards)
    worse = _eval(*common, "--report", str(tmp_path / "r2"))
    assert worse.exit_code == 1
    assert "FAIL" in worse.output and "top1" in worse.output
    assert "🔴" in (tmp_path / "r2" / "report.md").read_text()
    assert json.loads(baseline.read_text())["suites"]["retrieval:tiny"] == saved  # untouched


def test_unknown_suite_and_broken_baseline(small_home: Path, data_dir: Path,
                                           tmp_path: Path) -> None:
    out = _eval("--suite", "nope", "--data", str(data_dir))
    assert out.exit_code == 1 and "no suite matches" in out.output
    broken = tmp_path / "b.json"
    broken.write_text("{not json")
    out = _eval("--suite", "retrieval", "--data", str(data_dir), "--baseline", str(broken))
    assert out.exit_code == 1 and "baseline" in out.output and "Traceback" not in out.output


def test_list_names_every_built_in_suite(data_dir: Path) -> None:
    out = _eval("--list", "--data", str(data_dir))
    names = {line.split()[0] for line in out.output.splitlines()}
    assert {"retrieval:tiny", "reuse", "codegen", "modes", "multi-turn"} <= names

