"""OpenTelemetry spans: tool call -> sandbox run -> bridge call nest; an OTLP endpoint that is
down drops spans with one warning and leaves calls unaffected."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from mcp_sre import observability
from mcp_sre.config import load_settings
from mcp_sre.observability import Metrics, Observability
from mcp_sre.observability.tracing import make_tracer_provider
from mcp_sre.server import ServerState, build_server
from mcp_sre.server.sdk import connected_session

pytestmark = pytest.mark.anyio


@pytest.mark.slow
async def test_spans_nest_from_tool_call_to_bridge_call(
    home: Path, module_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MCP_SRE_WASM_CACHE", str(module_dir))
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    obs = Observability(metrics=Metrics(), tracer_provider=provider)
    server = build_server(ServerState(load_settings(home=home), observability=obs))
    code = 'sre.call("aws/ec2/TerminateInstances", InstanceIds=["i-0123456789abcdef0"])\n'
    async with connected_session(server) as client:
        await client.call_tool("run_code", {"code": code, "timeout_s": 60})
    spans = {s.name: s for s in exporter.get_finished_spans()}
    tool, run, bridge = spans["tool_call"], spans["sandbox.run"], spans["bridge.call"]
    assert tool.attributes["tool"] == "run_code"
    assert run.parent is not None and run.parent.span_id == tool.context.span_id
    assert bridge.parent is not None and bridge.parent.span_id == run.context.span_id
    assert bridge.attributes["decision"] == "denied"
    assert bridge.context.trace_id == tool.context.trace_id
    assert bridge.attributes["request_id"] == tool.attributes["request_id"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_otlp_endpoint_down_drops_spans_with_one_warning(log_lines) -> None:
    provider = make_tracer_provider(f"http://127.0.0.1:{_closed_port()}", timeout_s=0.5)
    assert provider is not None
    obs = Observability(tracer_provider=provider)

    async def trivial() -> str:
        with observability.agent_run("health") as run, run.step("check"):
            return "answered"

    try:
        for _ in range(3):
            started = time.perf_counter()
            assert await obs.tool_call("ping", trivial) == "answered"
            assert time.perf_counter() - started < 0.2  # export happens off the call path
            provider.force_flush(5000)
    finally:
        obs.close()
    warnings = [e for e in log_lines() if e["event"] == "otlp_export_failed"]
    assert len(warnings) == 1 and warnings[0]["level"] == "warning"
