"""stdio: the protocol owns stdout, so logs go to stderr; --metrics-port serves /metrics beside
it; a metrics port in use stops ``mcp-sre serve`` with a clear message, not a traceback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

pytestmark = pytest.mark.anyio


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_stdio_logs_on_stderr_and_metrics_port(home: Path, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "MCP_SRE_HOME": str(home), "MCP_SRE_LOG_LEVEL": "info"}
    params = StdioServerParameters(
        command=sys.executable,
        env=env,
        args=["-m", "mcp_sre", "serve", "--metrics-port", str(port)],
    )
    errlog = tmp_path / "stderr.log"
    with errlog.open("w") as err:
        async with stdio_client(params, errlog=err) as (r, w), ClientSession(r, w) as session:
            await session.initialize()  # a stray byte on stdout would break the protocol
            assert not (await session.call_tool("list_spec_sources", {})).is_error
            async with httpx.AsyncClient() as http:
                text = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
    assert 'mcp_sre_tool_calls_total{outcome="ok",tool="list_spec_sources"} 1.0' in text
    events = [json.loads(line) for line in errlog.read_text().splitlines() if line.startswith("{")]
    call = next(e for e in events if e.get("event") == "tool_call")
    assert call["tool"] == "list_spec_sources" and call["request_id"]


def test_metrics_port_in_use_stops_serve_with_a_clear_message(home: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "mcp_sre", "serve", "--metrics-port", str(port)],
            env={**os.environ, "MCP_SRE_HOME": str(home)},
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
    assert done.returncode != 0
    assert f"metrics port {port}" in done.stderr and "already in use" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
