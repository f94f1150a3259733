"""The Prometheus plugin against a real Debian prometheus with backfilled history, through the
host bridge (policy, validation, executor, audit) as every health read is."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mcp_sre.agents.health.collect import CallFailed, HostBridge
from mcp_sre.config import PROJECT_ROOT
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.specs.model import APISpec, SpecSource
from mcp_sre.specs.parse import parse_content
from mcp_sre_prometheus.local import prometheus_available, shift_openmetrics, start_prometheus

SPEC = PROJECT_ROOT / "plugins" / "mcp_sre_prometheus" / "prometheus-http-api.yaml"
needs_prometheus = pytest.mark.skipif(
    not prometheus_available(), reason="Debian prometheus/promtool are not installed"
)


def _history() -> str:
    """Two hours of a counter (10 req/s, 5% of them 500s) written an hour ago and before."""
    lines = ["# TYPE http_requests counter"]
    for k in range(121):
        t = 1_000_000 + 60 * k
        lines.append(
            f'http_requests_total{{service="checkout",business="shop",code="200"}} {570 * k} {t}'
        )
        lines.append(
            f'http_requests_total{{service="checkout",business="shop",code="500"}} {30 * k} {t}'
        )
    return "\n".join(lines) + "\n# EOF\n"


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not prometheus_available():
        pytest.skip("Debian prometheus/promtool are not installed")
    with start_prometheus(tmp_path_factory.mktemp("prom"), _history()) as url:
        yield url


@pytest.fixture(scope="module")
def bridge_for(tmp_path_factory: pytest.TempPathFactory):
    pm = make_plugin_manager()
    source = SpecSource(
        name="prometheus",
        provider="prometheus",
        url=str(SPEC),
        format="openapi",
        service="api",
        options={"use_tags": False},
    )
    specs: dict[str, APISpec] = {s.id: s for s in parse_content(pm, SPEC.read_bytes(), source)}
    audit = tmp_path_factory.mktemp("audit") / "audit.log"

    def make(url: str) -> HostBridge:
        return HostBridge(
            pm,
            specs.__getitem__,
            audit_path=audit,
            deadline=time.monotonic() + 30,
            context={"prometheus": {"url": url}},
        )

    return make


def test_spec_has_the_read_endpoints() -> None:
    pm = make_plugin_manager()
    source = SpecSource(
        name="prometheus",
        provider="prometheus",
        url=str(SPEC),
        format="openapi",
        service="api",
        options={"use_tags": False},
    )
    ids = {s.id: s.access for s in parse_content(pm, SPEC.read_bytes(), source)}
    assert ids == {
        f"prometheus/api/{n}": "read"
        for n in ("query", "queryRange", "series", "labels", "labelValues")
    }


def test_shift_moves_the_newest_sample_to_now() -> None:
    shifted = shift_openmetrics(_history(), lag_s=30, now=2_000_000)
    last = [line for line in shifted.splitlines() if line.startswith("http_")][-1]
    assert float(last.rsplit(" ", 1)[1]) == pytest.approx(2_000_000 - 30)
    assert shifted.rstrip().endswith("# EOF")


@needs_prometheus
def test_instant_and_range_queries_over_backfilled_history(prometheus, bridge_for) -> None:
    bridge = bridge_for(prometheus)
    now = int(time.time())
    rate = (
        'sum by (service) (rate(http_requests_total{code="500"}[5m])) / '
        "sum by (service) (rate(http_requests_total[5m]))"
    )
    instant = bridge.call("prometheus/api/query", {"query": rate, "time": now - 60})
    [series] = instant["data"]["result"]
    assert series["metric"] == {"service": "checkout"}
    assert float(series["value"][1]) == pytest.approx(0.05, rel=0.01)
    ranged = bridge.call(
        "prometheus/api/queryRange", {"query": rate, "start": now - 3600, "end": now, "step": 300}
    )
    values = ranged["data"]["result"][0]["values"]
    assert len(values) >= 10 and all(float(v) == pytest.approx(0.05, rel=0.01) for _, v in values)
    labels = bridge.call("prometheus/api/labelValues", {"name": "business"})
    assert labels["data"] == ["shop"]


@needs_prometheus
def test_bad_promql_and_a_down_server_are_typed_errors(prometheus, bridge_for) -> None:
    with pytest.raises(CallFailed) as bad:
        bridge_for(prometheus).call("prometheus/api/query", {"query": "rate(("})
    assert bad.value.kind == "validation_error" and "bad_data" in str(bad.value)
    from mcp_sre_prometheus.local import closed_port_url

    with pytest.raises(CallFailed) as down:
        bridge_for(closed_port_url()).call("prometheus/api/query", {"query": "up"})
    assert down.value.kind == "provider_error" and "unreachable" in str(down.value)


def test_unconfigured_server_says_what_to_set(bridge_for, monkeypatch) -> None:
    monkeypatch.delenv("MCP_SRE_PROMETHEUS_URL", raising=False)
    monkeypatch.delenv("PROMETHEUS_URL", raising=False)
    with pytest.raises(CallFailed, match="MCP_SRE_PROMETHEUS_URL"):
        bridge_for("").call("prometheus/api/query", {"query": "up"})


def test_local_target_for_a_case(tmp_path: Path) -> None:
    from mcp_sre_prometheus.local import target_for_case

    with target_for_case(tmp_path / "metrics.om", tmp_path, down=True) as env:
        assert env["MCP_SRE_PROMETHEUS_URL"].startswith("http://127.0.0.1:")
