"""The demo's e-commerce platform: all four kinds of signal reach one Chinese report."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcp_sre.agents.health.demo import ecommerce_platform, print_health_report
from mcp_sre.agents.health.schema import HealthStatus
from mcp_sre_prometheus.local import prometheus_available


@pytest.mark.skipif(not prometheus_available(), reason="Debian prometheus is not installed")
def test_ecommerce_platform_report(home: Path, tmp_path: Path, capsys) -> None:
    with ecommerce_platform(tmp_path) as env:
        assert {"KUBECONFIG", "MCP_SRE_PROMETHEUS_URL", "AWS_ENDPOINT_URL"} <= set(env)
        report = print_health_report(env, home=home)
    out = capsys.readouterr().out
    assert out.startswith("# 电商平台 健康报告") and report.language == "zh"
    comps = {c.name: c for c in report.components}
    checkout = comps["checkout"]
    assert checkout.status == HealthStatus.unhealthy and checkout.kind == "deployment"
    assert checkout.metrics and checkout.traces and checkout.logs and checkout.resources
    assert comps["shop-web-1"].status == HealthStatus.unhealthy  # hot CPU and its alarm
    assert "crm-app-1" not in comps  # another business
    assert all(s.ok for s in report.sources)
