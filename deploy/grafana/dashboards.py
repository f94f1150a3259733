"""mcp-sre's Grafana dashboards as code (grafana-foundation-sdk), one overview and one per
area. ``python deploy/grafana/dashboards.py`` writes them to ``deploy/grafana/*.json``.

Every panel is data in ``AREAS`` (title, unit, queries) so tests can check each PromQL
expression against the metrics the server exports.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from grafana_foundation_sdk.builders.dashboard import Dashboard, DatasourceVariable, Row
from grafana_foundation_sdk.builders.prometheus import Dataquery
from grafana_foundation_sdk.builders.stat import Panel as Stat
from grafana_foundation_sdk.builders.timeseries import Panel as Timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import DataSourceRef

HERE = Path(__file__).resolve().parent
DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")
RATE = "$__rate_interval"


@dataclass(frozen=True)
class PanelSpec:
    title: str
    queries: list[tuple[str, str]]  # (PromQL, legend)
    unit: str = "short"
    kind: str = "timeseries"  # or "stat"
    description: str = ""


@dataclass
class Area:
    uid: str
    title: str
    panels: list[PanelSpec] = field(default_factory=list)


def _q(expr: str, legend: str = "") -> tuple[str, str]:
    return (expr, legend)


ERROR_RATIO = (
    f'sum(rate(mcp_sre_tool_calls_total{{outcome="error"}}[{RATE}])) / '
    f"sum(rate(mcp_sre_tool_calls_total[{RATE}]))"
)
P95_TOOL = (
    "histogram_quantile(0.95, sum by (le, tool) "
    f"(rate(mcp_sre_tool_call_duration_seconds_bucket[{RATE}])))"
)
REFUSED_WRITES = (
    f'sum(rate(mcp_sre_bridge_calls_total{{decision="denied", access="write"}}[{RATE}])) * 60'
)
COST_PER_HOUR = f"sum by (model) (rate(mcp_sre_llm_cost_total[{RATE}])) * 3600"

AREAS = [
    Area(
        "mcp-sre-traffic",
        "mcp-sre / MCP traffic",
        [
            PanelSpec(
                "Tool calls per second",
                [_q(f"sum by (tool) (rate(mcp_sre_tool_calls_total[{RATE}]))", "{{tool}}")],
                "reqps",
            ),
            PanelSpec("Error ratio", [_q(ERROR_RATIO, "errors")], "percentunit"),
            PanelSpec("p95 latency by tool", [_q(P95_TOOL, "{{tool}}")], "s"),
            PanelSpec(
                "p50 latency by tool",
                [
                    _q(
                        "histogram_quantile(0.5, sum by (le, tool) "
                        f"(rate(mcp_sre_tool_call_duration_seconds_bucket[{RATE}])))",
                        "{{tool}}",
                    )
                ],
                "s",
            ),
            PanelSpec(
                "Errors by tool",
                [
                    _q(
                        f'sum by (tool) (rate(mcp_sre_tool_calls_total{{outcome="error"}}[{RATE}]))',
                        "{{tool}}",
                    )
                ],
                "reqps",
            ),
            PanelSpec(
                "Registered tools (listed / by status)",
                [
                    _q("mcp_sre_tools_exposed", "listed in tools/list"),
                    _q("sum by (status) (mcp_sre_registry_tools)", "{{status}}"),
                ],
            ),
        ],
    ),
    Area(
        "mcp-sre-sandbox",
        "mcp-sre / Sandbox and safety",
        [
            PanelSpec(
                "Sandbox runs by outcome",
                [_q(f"sum by (outcome) (rate(mcp_sre_sandbox_runs_total[{RATE}]))", "{{outcome}}")],
                "ops",
            ),
            PanelSpec(
                "Sandbox run p95",
                [
                    _q(
                        "histogram_quantile(0.95, sum by (le) "
                        f"(rate(mcp_sre_sandbox_run_duration_seconds_bucket[{RATE}])))",
                        "p95",
                    )
                ],
                "s",
            ),
            PanelSpec(
                "Limit hits per minute",
                [
                    _q(
                        f"sum by (kind) (rate(mcp_sre_sandbox_limit_hits_total[{RATE}])) * 60",
                        "{{kind}}",
                    )
                ],
            ),
            PanelSpec("Refused writes per minute", [_q(REFUSED_WRITES, "refused writes")]),
            PanelSpec(
                "Bridge calls by decision and access",
                [
                    _q(
                        f"sum by (decision, access) (rate(mcp_sre_bridge_calls_total[{RATE}]))",
                        "{{decision}} {{access}}",
                    )
                ],
                "ops",
            ),
            PanelSpec(
                "Provider errors by type",
                [
                    _q(
                        f"sum by (provider, type) (rate(mcp_sre_bridge_call_errors_total[{RATE}]))",
                        "{{provider}} {{type}}",
                    )
                ],
                "ops",
            ),
            PanelSpec(
                "Bridge call p95 by provider",
                [
                    _q(
                        "histogram_quantile(0.95, sum by (le, provider) "
                        f"(rate(mcp_sre_bridge_call_duration_seconds_bucket[{RATE}])))",
                        "{{provider}}",
                    )
                ],
                "s",
            ),
        ],
    ),
    Area(
        "mcp-sre-agents",
        "mcp-sre / Agents and LLM cost",
        [
            PanelSpec(
                "Agent runs by outcome",
                [
                    _q(
                        f"sum by (agent, outcome) (rate(mcp_sre_agent_runs_total[{RATE}]))",
                        "{{agent}} {{outcome}}",
                    )
                ],
                "ops",
            ),
            PanelSpec(
                "Agent run p95",
                [
                    _q(
                        "histogram_quantile(0.95, sum by (le, agent) "
                        f"(rate(mcp_sre_agent_run_duration_seconds_bucket[{RATE}])))",
                        "{{agent}}",
                    )
                ],
                "s",
            ),
            PanelSpec(
                "LLM calls by model and outcome",
                [
                    _q(
                        f"sum by (model, outcome) (rate(mcp_sre_llm_calls_total[{RATE}]))",
                        "{{model}} {{outcome}}",
                    )
                ],
                "ops",
            ),
            PanelSpec(
                "LLM tokens per second",
                [
                    _q(
                        f"sum by (model, direction) (rate(mcp_sre_llm_tokens_total[{RATE}]))",
                        "{{model}} {{direction}}",
                    )
                ],
            ),
            PanelSpec("LLM cost per hour", [_q(COST_PER_HOUR, "{{model}}")]),
            PanelSpec(
                "Code generation: first-pass and 3-round success",
                [
                    _q(
                        'sum(rate(mcp_sre_codegen_runs_total{outcome="ok", rounds="1"}[1h])) / '
                        "sum(rate(mcp_sre_codegen_runs_total[1h]))",
                        "first pass",
                    ),
                    _q(
                        'sum(rate(mcp_sre_codegen_runs_total{outcome="ok", rounds=~"1|2|3"}[1h])) / '
                        "sum(rate(mcp_sre_codegen_runs_total[1h]))",
                        "within 3 rounds",
                    ),
                ],
                "percentunit",
            ),
        ],
    ),
    Area(
        "mcp-sre-retrieval",
        "mcp-sre / Retrieval quality",
        [
            PanelSpec(
                "Search latency p50 / p95",
                [
                    _q(
                        "histogram_quantile(0.5, sum by (le) "
                        f"(rate(mcp_sre_retrieval_duration_seconds_bucket[{RATE}])))",
                        "p50",
                    ),
                    _q(
                        "histogram_quantile(0.95, sum by (le) "
                        f"(rate(mcp_sre_retrieval_duration_seconds_bucket[{RATE}])))",
                        "p95",
                    ),
                ],
                "s",
            ),
            PanelSpec(
                "Called operation ranked first",
                [
                    _q(
                        'sum(rate(mcp_sre_retrieval_called_rank_bucket{le="1.0"}[1h])) / '
                        "sum(rate(mcp_sre_retrieval_called_rank_count[1h]))",
                        "top-1",
                    )
                ],
                "percentunit",
            ),
            PanelSpec(
                "Called operation within top 3",
                [
                    _q(
                        'sum(rate(mcp_sre_retrieval_called_rank_bucket{le="3.0"}[1h])) / '
                        "sum(rate(mcp_sre_retrieval_called_rank_count[1h]))",
                        "top-3",
                    )
                ],
                "percentunit",
            ),
            PanelSpec(
                "Tool reuse vs generation",
                [_q(f"sum by (path) (rate(mcp_sre_tool_requests_total[{RATE}]))", "{{path}}")],
                "reqps",
            ),
        ],
    ),
    Area(
        "mcp-sre-specs",
        "mcp-sre / Spec freshness",
        [
            PanelSpec(
                "Age of each spec source",
                [_q("max by (source) (mcp_sre_spec_source_age_seconds)", "{{source}}")],
                "s",
            ),
            PanelSpec(
                "Stale sources", [_q("sum(mcp_sre_spec_source_stale)", "stale")], kind="stat"
            ),
            PanelSpec(
                "Sources whose last refresh failed",
                [_q("sum(mcp_sre_spec_source_last_refresh_failed)", "failing")],
                kind="stat",
            ),
            PanelSpec(
                "Operations by source",
                [_q("sum by (source) (mcp_sre_spec_source_operations)", "{{source}}")],
            ),
        ],
    ),
]

OVERVIEW = Area(
    "mcp-sre-overview",
    "mcp-sre / Overview",
    [
        PanelSpec(
            "Tool calls per second",
            [_q(f"sum(rate(mcp_sre_tool_calls_total[{RATE}]))", "calls")],
            "reqps",
            "stat",
        ),
        PanelSpec("Error ratio", [_q(ERROR_RATIO, "errors")], "percentunit", "stat"),
        PanelSpec("Slowest tool p95", [_q(f"max({P95_TOOL})", "p95")], "s", "stat"),
        PanelSpec("Refused writes per minute", [_q(REFUSED_WRITES, "refused")], kind="stat"),
        PanelSpec(
            "Stale spec sources", [_q("sum(mcp_sre_spec_source_stale)", "stale")], kind="stat"
        ),
        PanelSpec("LLM cost per hour", [_q(f"sum({COST_PER_HOUR})", "cost")], kind="stat"),
        PanelSpec(
            "Sandbox limit hits per minute",
            [_q(f"sum(rate(mcp_sre_sandbox_limit_hits_total[{RATE}])) * 60", "limit hits")],
            kind="stat",
        ),
        PanelSpec(
            "Agent runs per minute",
            [_q(f"sum(rate(mcp_sre_agent_runs_total[{RATE}])) * 60", "agent runs")],
            kind="stat",
        ),
        PanelSpec(
            "Tool calls by outcome",
            [_q(f"sum by (outcome) (rate(mcp_sre_tool_calls_total[{RATE}]))", "{{outcome}}")],
            "reqps",
        ),
    ],
)


def _panel(spec: PanelSpec) -> object:
    width, height = (6, 4) if spec.kind == "stat" else (12, 8)
    panel = (Stat() if spec.kind == "stat" else Timeseries()).title(spec.title)
    panel = panel.unit(spec.unit).datasource(DATASOURCE).span(width).height(height)
    if spec.description:
        panel = panel.description(spec.description)
    for i, (expr, legend) in enumerate(spec.queries):
        query = Dataquery().expr(expr).ref_id(chr(ord("A") + i)).datasource(DATASOURCE)
        panel = panel.with_target(query.legend_format(legend) if legend else query)
    return panel


def build(area: Area) -> object:
    board = (
        Dashboard(area.title)
        .uid(area.uid)
        .tags(["mcp-sre", "generated"])
        .refresh("30s")
        .time("now-6h", "now")
        .with_variable(DatasourceVariable("datasource").label("Data source").type("prometheus"))
    )
    board = board.with_row(Row(area.title.split(" / ", 1)[-1]))
    for spec in area.panels:  # the SDK lays panels out left to right, row by row
        board = board.with_panel(_panel(spec))
    return board.build()


def export(target: Path = HERE) -> list[Path]:
    """Write every dashboard as ``<uid>.json``; returns the paths written."""
    encoder = JSONEncoder(sort_keys=True, indent=2)
    written = []
    for area in [OVERVIEW, *AREAS]:
        path = target / f"{area.uid.removeprefix('mcp-sre-')}.json"
        text = encoder.encode(build(area))
        json.loads(text)  # valid JSON or fail here
        path.write_text(text + "\n", encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written in export(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(written)
