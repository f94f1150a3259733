"""The dashboards are built as code, exported as committed, and every PromQL expression in them
(and in the alert rules) parses and names only metrics the server exports."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import promql_parser
import pytest
import yaml

from mcp_sre.config import load_settings
from mcp_sre.server import ServerState

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"

GRAFANA_VARS = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}


def _load_builder():
    spec = importlib.util.spec_from_file_location(
        "dashboards", DEPLOY / "grafana" / "dashboards.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["dashboards"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def metric_names(expr: str) -> set[str]:
    for var, value in GRAFANA_VARS.items():
        expr = expr.replace(var, value)
    names: set[str] = set()

    def visit(node: object) -> None:
        if isinstance(node, promql_parser.VectorSelector) and node.name:
            names.add(node.name)

    promql_parser.walk(promql_parser.parse(expr), visit)
    return names


def dashboard_exprs() -> dict[str, list[str]]:
    out = {}
    for path in sorted((DEPLOY / "grafana").glob("*.json")):
        board = json.loads(path.read_text())
        out[path.name] = [t["expr"] for p in board["panels"] for t in p.get("targets", [])]
    return out


def rule_exprs() -> list[str]:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "rules.yml").read_text())
    return [r["expr"] for g in rules["groups"] for r in g["rules"]]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every sample name a real server's registry exports (scrape-time gauges included)."""
    home = tmp_path_factory.mktemp("home")
    state = ServerState(load_settings(home=home))
    assert state.observability.metrics is not None
    return state.observability.metrics.names()


def test_exported_json_matches_the_code(tmp_path: Path) -> None:
    module = _load_builder()
    written = module.export(tmp_path)
    names = {p.name for p in written}
    assert names == {
        "overview.json",
        "traffic.json",
        "sandbox.json",
        "agents.json",
        "retrieval.json",
        "specs.json",
    }
    for path in written:
        committed = DEPLOY / "grafana" / path.name
        assert committed.read_text() == path.read_text(), (
            f"{committed} is stale: run python deploy/grafana/dashboards.py"
        )


def test_every_dashboard_query_parses_and_names_exported_metrics(exported: set[str]) -> None:
    boards = dashboard_exprs()
    assert len(boards) == 6
    for name, exprs in boards.items():
        assert exprs, name
        for expr in exprs:
            used = metric_names(expr)
            assert used, f"{name}: {expr} names no metric"
            assert used <= exported, f"{name}: {expr} uses {sorted(used - exported)}"


def test_every_alert_rule_parses_and_names_exported_metrics(exported: set[str]) -> None:
    for expr in rule_exprs():
        used = metric_names(expr) - {"up"}  # up is Prometheus' own
        assert used <= exported, f"{expr} uses {sorted(used - exported)}"


def test_rules_have_runbooks_and_cover_the_issue() -> None:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "rules.yml").read_text())
    alerts = {r["alert"]: r for g in rules["groups"] for r in g["rules"]}
    for name, rule in alerts.items():
        assert len(rule["annotations"].get("runbook", "")) > 100, name
        assert rule["labels"]["severity"] in {"info", "warning", "critical"}
    text = " ".join(rule_exprs())
    for needle in (
        'outcome="error"',
        "tool_call_duration_seconds_bucket",
        'decision="denied"',
        "spec_source_stale",
        "llm_cost_total",
        "sandbox_limit_hits_total",
    ):
        assert needle in text, needle


def test_a_wrong_metric_name_is_caught(exported: set[str]) -> None:
    assert not metric_names("rate(mcp_sre_tool_cals_total[5m])") <= exported
    assert re.search("mcp_sre_tool_calls_total", " ".join(exported))
