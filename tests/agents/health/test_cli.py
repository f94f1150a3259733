"""``mcp-sre health`` and ``mcp-sre eval health`` as a person runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mcp_sre.cli import main
from mcp_sre.config import PROJECT_ROOT
from mcp_sre_prometheus.local import prometheus_available

CASES = PROJECT_ROOT / "tests" / "fixtures" / "eval" / "health"


def test_list_scopes_and_report(home: Path, sim) -> None:
    runner = CliRunner()
    listed = runner.invoke(main, ["health", "--list-scopes", "--provider", "kubernetes"])
    assert listed.exit_code == 0, listed.output
    assert "**shop**: kubernetes:namespace" in listed.output
    out = runner.invoke(main, ["health", "商城 shop", "--json", "--provider", "kubernetes"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    assert report["language"] == "zh" and report["status"] == "unhealthy"
    assert report["components"][0]["name"] == "checkout"
    text = runner.invoke(main, ["health", "shop", "--lang", "en", "--provider", "kubernetes"])
    assert "| checkout | deployment | kubernetes | 🔴 unhealthy |" in text.output


def test_config_typo_is_one_clear_line(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "mine.yaml"
    bad.write_text("traces:\n  error_rate: {warn: 0.1, crit: 0.3}\n  p95: {warn: 1, crit: 2}\n")
    out = CliRunner().invoke(main, ["health", "shop", "--config", str(bad)])
    assert out.exit_code == 1 and "Traceback" not in out.output
    assert "mine.yaml line 3: traces.p95: unknown field" in out.output


@pytest.mark.skipif(not prometheus_available(), reason="Debian prometheus is not installed")
def test_eval_health_cases(home: Path) -> None:
    out = CliRunner().invoke(
        main,
        [
            "eval",
            "health",
            str(CASES),
            "--json",
            "--case",
            "prometheus-errors",
            "--case",
            "source-down",
        ],
    )
    assert out.exit_code == 0, out.output
    summary = json.loads(out.output)
    assert {"n", "status_accuracy", "precision", "recall", "p50_s", "cases"} <= set(summary)
    assert summary["n"] == 2 and summary["status_accuracy"] == 1.0
    assert summary["precision"] == 1.0 and summary["recall"] == 1.0
    down = next(c for c in summary["cases"] if c["case"] == "source-down")
    assert any("prometheus" in n for n in down["notes"])
