"""``demo --keep``'s Prometheus: a real one scrapes a real metrics port and answers the
dashboards' queries (skipped without Debian's prometheus)."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import httpx
import pytest

from mcp_sre.observability import Metrics, Observability
from mcp_sre.observability.serving import MetricsServer
from mcp_sre_demo.prometheus import free_port, start_prometheus

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"


@pytest.mark.anyio
async def test_prometheus_scrapes_the_metrics_port_and_answers_dashboards(
        tmp_path: Path) -> None:
    if shutil.which("prometheus") is None:
        pytest.skip("Debian's prometheus is not installed; .ci/run installs it")
    obs = Observability(metrics=Metrics(version="demo"), log_events=False)

    async def ok() -> int:
        return 1

    for _ in range(3):
        await obs.tool_call("list_spec_sources", ok)
    assert obs.metrics is not None
    server = MetricsServer(obs.metrics.registry, free_port())
    started = start_prometheus(tmp_path, server.port)
    assert started is not None
    proc, url = started
    try:
        deadline = time.monotonic() + 30
        value = None
        while time.monotonic() < deadline and value is None:
            result = httpx.get(f"{url}/api/v1/query", params={
                "query": 'mcp_sre_tool_calls_total{tool="list_spec_sources"}'}).json()
            value = result["data"]["result"][0]["value"][1] if result["data"]["result"] else None
            time.sleep(0.3)
        assert value == "3"
        for path in sorted((DEPLOY / "grafana").glob("*.json")):
            for panel in json.loads(path.read_text())["panels"]:
                for target in panel.get("targets", []):
                    expr = target["expr"].replace("$__rate_interval", "1m")
                    reply = httpx.get(f"{url}/api/v1/query", params={"query": expr}).json()
                    assert reply["status"] == "success", (path.name, expr, reply)
        rules = httpx.get(f"{url}/api/v1/rules").json()["data"]["groups"]
        assert rules and rules[0]["name"] == "mcp-sre"
    finally:
        proc.terminate()
        proc.wait(10)
        server.close()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
