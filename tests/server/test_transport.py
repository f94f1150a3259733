"""SSE and streamable HTTP with the real `mcp` client (both protocol eras on streamable HTTP:
the initialize handshake and 2026-07-28), and the bearer-token guard."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import httpx2
import pytest
from mcp import Client, ClientSession
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(home: Path, *args: str, token: str | None = None) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "MCP_SRE_HOME": str(home)}
    env.pop("MCP_SRE_TOKEN", None)
    if token:
        env["MCP_SRE_TOKEN"] = token
    proc = subprocess.Popen([sys.executable, "-m", "mcp_sre", "serve", *args, "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.stderr.read().decode())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("server did not start")


@pytest.fixture
def servers(home: Path) -> Iterator[list[subprocess.Popen]]:
    procs: list[subprocess.Popen] = []
    yield procs
    for p in procs:
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()


async def _exercise(session: ClientSession | Client) -> None:
    if isinstance(session, ClientSession):
        result = await session.initialize()
        assert result.capabilities.tools and result.capabilities.tools.list_changed
    names = {t.name for t in (await session.list_tools()).tools}
    assert "get_api_spec" in names
    result = await session.call_tool("list_spec_sources", {})
    assert not result.is_error
    result = await session.call_tool("get_api_spec", {"id": "nosuch/a/b"})
    assert result.is_error and "unknown provider" in result.content[0].text


async def test_streamable_http(home: Path, servers: list) -> None:
    proc, port = start(home, "--transport", "streamable-http")
    servers.append(proc)
    async with streamable_http_client(f"http://127.0.0.1:{port}/mcp") as (r, w), \
            ClientSession(r, w) as session:
        await _exercise(session)
    async with Client(f"http://127.0.0.1:{port}/mcp") as client:  # 2026-07-28, no handshake
        assert client.protocol_version == "2026-07-28"
        assert client.server_capabilities.tools.list_changed  # served by subscriptions/listen
        await _exercise(client)


async def test_sse(home: Path, servers: list) -> None:
    proc, port = start(home, "--transport", "sse")
    servers.append(proc)
    async with sse_client(f"http://127.0.0.1:{port}/sse") as (r, w), ClientSession(r, w) as s:
        await _exercise(s)


async def test_token_required(home: Path, servers: list) -> None:
    proc, port = start(home, "--transport", "streamable-http", token="s3cret")
    servers.append(proc)
    url = f"http://127.0.0.1:{port}/mcp"
    assert httpx.post(url, json={}).status_code == 401
    assert httpx.post(url, json={}, headers={"Authorization": "Bearer wrong"}).status_code == 401
    async with httpx2.AsyncClient(headers={"Authorization": "Bearer s3cret"}) as http, \
            streamable_http_client(url, http_client=http) as (r, w), \
            ClientSession(r, w) as session:
        await _exercise(session)


def test_refuses_public_bind_without_token(home: Path) -> None:
    env = {**os.environ, "MCP_SRE_HOME": str(home)}
    env.pop("MCP_SRE_TOKEN", None)
    out = subprocess.run([sys.executable, "-m", "mcp_sre", "serve", "--transport", "sse",
                          "--host", "0.0.0.0", "--port", str(free_port())],
                         env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 1
    assert "refusing to serve on 0.0.0.0 without a token" in out.stderr
