"""Round-trip latency of a trivial tool call (in memory, stdio, streamable HTTP) and 50
concurrent streamable-HTTP clients. Run: python benchmarks/bench_server.py [--calls N]"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

from mcp_sre.server.sdk import connected_session

TOOL, ARGS = "list_spec_sources", {}


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def timed_calls(session: ClientSession, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        result = await session.call_tool(TOOL, ARGS)
        out.append((time.perf_counter() - t) * 1000)
        assert not result.is_error
    return out


def report(name: str, ms: list[float], base: float | None) -> float:
    p50 = statistics.median(ms)
    ratio = f"  x{p50 / base:.1f} vs in-memory" if base else ""
    print(f"{name:<18} n={len(ms):<5} p50={p50:7.2f} ms  p99={pct(ms, 0.99):7.2f} ms{ratio}")
    return p50


async def main(calls: int, clients: int) -> None:
    home = tempfile.mkdtemp(prefix="mcp-sre-bench-")
    os.environ["MCP_SRE_HOME"] = home
    from mcp_sre.server import build_server

    async with connected_session(build_server()) as s:
        base = report("in-memory", await timed_calls(s, calls), None)

    params = StdioServerParameters(command=sys.executable, args=["-m", "mcp_sre", "serve"],
                                   env={**os.environ})
    async with stdio_client(params) as (r, w), ClientSession(r, w) as s:
        await s.initialize()
        report("stdio", await timed_calls(s, calls), base)

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "mcp_sre", "serve", "--transport",
                             "streamable-http", "--port", str(port)], env={**os.environ})
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        url = f"http://127.0.0.1:{port}/mcp"
        async with streamable_http_client(url) as (r, w), ClientSession(r, w) as s:
            await s.initialize()
            report("streamable-http", await timed_calls(s, calls), base)

        errors: list[str] = []
        latencies: list[float] = []

        async def one_client() -> None:
            try:
                async with streamable_http_client(url) as (r, w), ClientSession(r, w) as s:
                    await s.initialize()
                    latencies.extend(await timed_calls(s, 20))
            except Exception as exc:
                errors.append(repr(exc))

        t = time.perf_counter()
        async with anyio.create_task_group() as tg:
            for _ in range(clients):
                tg.start_soon(one_client)
        wall = time.perf_counter() - t
        report(f"{clients} clients", latencies, base)
        print(f"{clients} concurrent clients x 20 calls: {len(latencies)} ok, "
              f"{len(errors)} errors, {len(latencies) / wall:.0f} calls/s")
        for e in errors[:3]:
            print("  error:", e)
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=50)
    a = ap.parse_args()
    anyio.run(main, a.calls, a.clients)
