"""Overhead of metrics + structured logging on a trivial MCP tool call, in the same run.

Run: ``python benchmarks/bench_observability.py [--calls 2000]``.
Two servers differ only in observability (metrics and an info-level JSON log event per call,
written to a file, vs none); a real MCP client session (in memory) calls a trivial tool on
each, alternating call by call, so drift on a shared machine hits both alike. Prints p50/p90 per
call for each and the p50 overhead; the target is <= 5 %.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio

from mcp_sre.config import load_settings
from mcp_sre.observability import DISABLED, Metrics, Observability, configure_logging
from mcp_sre.observability.logs import SINK
from mcp_sre.server import DynamicTool, ServerState, build_server
from mcp_sre.server.sdk import connected_session


async def _noop(args: dict[str, Any], ctx: Any) -> dict[str, Any]:
    return {"n": args.get("n", 0)}


NOOP = DynamicTool(
    name="noop",
    description="Return n.",
    handler=_noop,
    input_schema={"type": "object", "properties": {"n": {"type": "integer"}}},
    output_schema={"type": "object", "properties": {"n": {"type": "integer"}}},
)


def _server(home: Path, obs: Observability) -> Any:
    server = build_server(ServerState(load_settings(home=home, tool_budget=0), observability=obs))
    server.put_dynamic_tool(NOOP)
    return server


async def _round(client: Any, calls: int, out: list[float]) -> None:
    for i in range(calls):
        started = time.perf_counter()
        result = await client.call_tool("noop", {"n": i})
        out.append(time.perf_counter() - started)
        assert not result.is_error


async def _added_cost(obs: Observability) -> float:
    """Median extra microseconds ``obs.tool_call`` adds around a trivial coroutine."""

    async def trivial() -> int:
        return 1

    samples = []
    for _ in range(20):
        started = time.perf_counter()
        for _ in range(500):
            await trivial()
        bare = time.perf_counter() - started
        started = time.perf_counter()
        for _ in range(500):
            await obs.tool_call("noop", trivial)
        samples.append((time.perf_counter() - started - bare) / 500 * 1e6)
    return statistics.median(samples)


async def main(calls: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-obs-"))
    log_file = work / "server.log"
    configure_logging(fmt="json", level="info", file=log_file)
    on = _server(work / "on", Observability(metrics=Metrics(version="bench")))
    off = _server(work / "off", DISABLED)
    times: dict[str, list[float]] = {"off": [], "on": []}
    async with (
        connected_session(on) as c_on,
        connected_session(off) as c_off,
    ):
        await _round(c_on, 200, [])  # warm both
        await _round(c_off, 200, [])
        pair = [("on", c_on), ("off", c_off)]
        for r in range(calls):  # call by call, alternating who goes first: drift hits both
            for name, client in pair if r % 2 else pair[::-1]:
                started = time.perf_counter()
                result = await client.call_tool("noop", {"n": r})
                times[name].append(time.perf_counter() - started)
                assert not result.is_error
    added = await _added_cost(Observability(metrics=Metrics(version="bench")))
    SINK.flush()
    lines = sum(1 for _ in log_file.open())
    p50 = {k: statistics.median(v) * 1e6 for k, v in times.items()}
    p90 = {k: statistics.quantiles(v, n=10)[-1] * 1e6 for k, v in times.items()}
    print(
        f"trivial tool call over an in-memory MCP session, {calls} calls each, "
        "alternating call by call"
    )
    for k in ("off", "on"):
        print(f"  observability {k:3}: p50 {p50[k]:8.1f} us   p90 {p90[k]:8.1f} us")
    overhead = (p50["on"] - p50["off"]) / p50["off"] * 100
    print(f"  p50 overhead: {overhead:+.1f} % (target <= 5 %); {lines} log lines written")
    print(
        f"  observability's own cost per call (tight loop, median of 20x500): {added:.1f} us "
        f"= {added / p50['off'] * 100:.2f} % of the p50 call without it"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    anyio.run(main, args.calls)
