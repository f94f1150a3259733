"""A real Prometheus (Debian's) against a real ``mcp-sre serve``: promtool accepts the shipped
config and rules; Prometheus scrapes the server while a real MCP client drives traffic (a
refused write, a sandbox timeout, an error burst); the counters come back through
Prometheus' HTTP API, the error-ratio alert fires, every dashboard query answers, and a
scrape while the server shuts down leaves no traceback."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
WRITE = 'sre.call("aws/ec2/TerminateInstances", InstanceIds=["i-0123456789abcdef0"])\n'
GRAFANA_VARS = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "1h"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{what} exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what} did not come up at {url}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def test_promtool_accepts_rules_and_config(prometheus_bins, tmp_path: Path) -> None:
    _, promtool = prometheus_bins
    rules = subprocess.run(
        [promtool, "check", "rules", str(DEPLOY / "prometheus" / "rules.yml")],
        capture_output=True,
        text=True,
    )
    assert rules.returncode == 0, rules.stdout + rules.stderr
    assert "SUCCESS: 8 rules found" in rules.stdout
    # The config names the token file Kubernetes would mount; give promtool one to find.
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    token = tmp_path / "token"
    token.write_text("a-token\n")
    for job in config["scrape_configs"]:
        if "authorization" in job:
            job["authorization"]["credentials_file"] = str(token)
    shutil.copy(DEPLOY / "prometheus" / "rules.yml", tmp_path / "rules.yml")
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    checked = subprocess.run(
        [promtool, "check", "config", str(tmp_path / "prometheus.yml")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.fixture
def stack(prometheus_bins, tmp_path: Path, module_dir: Path) -> Iterator[dict[str, Any]]:
    """mcp-sre serve (streamable HTTP) and Prometheus scraping it every second, with the
    shipped alert rules made to fire without waiting (``for: 0s``)."""
    prometheus, _ = prometheus_bins
    home = tmp_path / "home"
    mcp_port, prom_port = free_port(), free_port()
    env = {
        **os.environ,
        "MCP_SRE_HOME": str(home),
        "MCP_SRE_WASM_CACHE": str(module_dir),
        "MCP_SRE_OFFLINE": "1",
    }
    env.pop("MCP_SRE_TOKEN", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mcp_sre",
            "serve",
            "--transport",
            "streamable-http",
            "--port",
            str(mcp_port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    rules = yaml.safe_load((DEPLOY / "prometheus" / "rules.yml").read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            rule["for"] = "0s"
    (tmp_path / "rules.yml").write_text(yaml.safe_dump(rules))
    (tmp_path / "prometheus.yml").write_text(
        yaml.safe_dump(
            {
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "rule_files": ["rules.yml"],
                "scrape_configs": [
                    {
                        "job_name": "mcp-sre",
                        "metrics_path": "/metrics",
                        "static_configs": [{"targets": [f"127.0.0.1:{mcp_port}"]}],
                    }
                ],
            }
        )
    )
    prom = subprocess.Popen(
        [
            prometheus,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(f"http://127.0.0.1:{mcp_port}/healthz", server, "mcp-sre serve")
        wait_for(f"http://127.0.0.1:{prom_port}/-/ready", prom, "prometheus")
        yield {
            "server": server,
            "mcp": f"http://127.0.0.1:{mcp_port}/mcp",
            "prom": f"http://127.0.0.1:{prom_port}",
        }
    finally:
        stop(server)
        stop(prom)


def query(base: str, expr: str) -> list[dict[str, Any]]:
    reply = httpx.get(f"{base}/api/v1/query", params={"query": expr}, timeout=10).json()
    assert reply["status"] == "success", (expr, reply)
    return reply["data"]["result"]


def eventually(base: str, expr: str, expected: float, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    got: Any = None
    while time.monotonic() < deadline:
        result = query(base, expr)
        got = float(result[0]["value"][1]) if result else None
        if got == expected:
            return
        time.sleep(0.5)
    raise AssertionError(f"{expr}: {got} != {expected}")


@pytest.mark.slow
@pytest.mark.anyio
async def test_prometheus_scrapes_the_server_and_the_error_alert_fires(stack) -> None:
    prom = stack["prom"]
    async with streamable_http_client(stack["mcp"]) as (r, w), ClientSession(r, w) as mcp:
        await mcp.initialize()
        assert not (await mcp.call_tool("list_spec_sources", {})).is_error
        assert (await mcp.call_tool("get_api_spec", {"id": "nosuch/a/b"})).is_error
        refused = await mcp.call_tool("run_code", {"code": WRITE, "timeout_s": 300})
        assert "policy_denied" in refused.content[0].text
        slow = await mcp.call_tool("run_code", {"code": "while True:\n    pass\n", "timeout_s": 1})
        assert '"timeout"' in slow.content[0].text
        # the error series exists in Prometheus before the burst, so rate() sees the burst
        eventually(prom, 'mcp_sre_tool_calls_total{tool="get_api_spec",outcome="error"}', 1)
        for _ in range(30):
            assert (await mcp.call_tool("get_api_spec", {"id": "nosuch/a/b"})).is_error

    eventually(prom, 'mcp_sre_tool_calls_total{tool="get_api_spec",outcome="error"}', 31)
    eventually(prom, 'mcp_sre_tool_calls_total{tool="run_code",outcome="ok"}', 2)
    eventually(prom, 'sum(mcp_sre_bridge_calls_total{decision="denied",access="write"})', 1)
    eventually(prom, 'mcp_sre_sandbox_limit_hits_total{kind="time"}', 1)
    eventually(prom, 'mcp_sre_sandbox_runs_total{outcome="policy_denied"}', 1)
    assert query(prom, 'mcp_sre_spec_source_stale{provider="aws"}')

    deadline = time.monotonic() + 30
    firing: list[str] = []
    while time.monotonic() < deadline and "McpSreToolErrorRatioHigh" not in firing:
        alerts = httpx.get(f"{prom}/api/v1/alerts", timeout=10).json()["data"]["alerts"]
        firing = [a["labels"]["alertname"] for a in alerts if a["state"] == "firing"]
        time.sleep(0.5)
    assert "McpSreToolErrorRatioHigh" in firing
    assert "McpSreRefusedWritesSpike" not in firing  # one refused write is not a spike

    # every dashboard query answers (some are empty until their feature is used)
    import json

    answered = 0
    for path in sorted((DEPLOY / "grafana").glob("*.json")):
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel.get("targets", []):
                expr = target["expr"]
                for var, value in GRAFANA_VARS.items():
                    expr = expr.replace(var, value)
                answered += bool(query(prom, expr))
    assert answered >= 15

    # scrapes go on while the server shuts down: it exits cleanly, Prometheus sees it go
    server = stack["server"]
    server.terminate()
    server.wait(15)
    err = server.stderr.read()
    # (the SDK logs a ClosedResourceError when a streamable-HTTP client leaves; not ours)
    assert b"/mcp_sre/" not in err, err.decode(errors="replace")[-3000:]
    eventually(prom, 'up{job="mcp-sre"}', 0)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
