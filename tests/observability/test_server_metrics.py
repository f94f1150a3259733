"""Metrics and log events from a real server, driven through a real in-memory MCP session:
tool calls, a refused write and a timeout in the sandbox, an LLM call to a stand-in
OpenAI-compatible endpoint on 127.0.0.1, and /metrics over HTTP."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

from mcp_sre import observability
from mcp_sre.config import load_settings
from mcp_sre.llm import Message
from mcp_sre.llm.resolve import resolve_llm
from mcp_sre.observability import Observability
from mcp_sre.server import ServerState, build_server
from mcp_sre.server.sdk import connected_session

if str(Path(__file__).resolve().parents[1]) not in sys.path:  # tests/ holds chat_endpoint
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from chat_endpoint import running_chat_server

pytestmark = pytest.mark.anyio

WRITE = 'sre.call("aws/ec2/TerminateInstances", InstanceIds=["i-0123456789abcdef0"])\n'


@pytest.fixture
def state(home: Path, module_dir: Path, monkeypatch: pytest.MonkeyPatch) -> ServerState:
    monkeypatch.setenv("MCP_SRE_WASM_CACHE", str(module_dir))
    return ServerState(load_settings(home=home))


def value(state: ServerState, name: str, **labels: str) -> float:
    assert state.observability.metrics is not None
    got = state.observability.metrics.registry.get_sample_value(name, labels)
    return 0.0 if got is None else got


@pytest.mark.slow
async def test_tool_calls_sandbox_and_bridge_are_counted_and_tied(
    state: ServerState, log_lines
) -> None:
    server = build_server(state)
    async with connected_session(server) as client:
        assert not (await client.call_tool("list_spec_sources", {})).is_error
        assert (await client.call_tool("get_api_spec", {"id": "nosuch/a/b"})).is_error
        refused = await client.call_tool("run_code", {"code": WRITE, "timeout_s": 300})
        assert "policy_denied" in refused.content[0].text
        slow = await client.call_tool(
            "run_code", {"code": "while True:\n    pass\n", "timeout_s": 1}
        )
        assert '"timeout"' in slow.content[0].text
    assert value(state, "mcp_sre_tool_calls_total", tool="list_spec_sources", outcome="ok") == 1
    assert value(state, "mcp_sre_tool_calls_total", tool="get_api_spec", outcome="error") == 1
    assert value(state, "mcp_sre_tool_calls_total", tool="run_code", outcome="ok") == 2
    assert value(state, "mcp_sre_tool_call_duration_seconds_count", tool="run_code") == 2
    assert (
        value(
            state, "mcp_sre_bridge_calls_total", provider="aws", access="write", decision="denied"
        )
        == 1
    )
    assert value(state, "mcp_sre_sandbox_runs_total", outcome="policy_denied") == 1
    assert value(state, "mcp_sre_sandbox_runs_total", outcome="timeout") == 1
    assert value(state, "mcp_sre_sandbox_limit_hits_total", kind="time") == 1
    assert value(state, "mcp_sre_sandbox_limit_hits_total", kind="memory") == 0

    events = log_lines()
    bridge = next(e for e in events if e["event"] == "bridge_call")
    assert bridge["decision"] == "denied" and bridge["access"] == "write"
    same_request = [e["event"] for e in events if e.get("request_id") == bridge["request_id"]]
    assert same_request.count("sandbox_run") == 1 and "tool_call" in same_request
    assert len({e["request_id"] for e in events if e["event"] == "tool_call"}) == 4


async def test_metrics_route_and_scrape_time_gauges(state: ServerState) -> None:
    server = build_server(state)
    app = server.streamable_http_app()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1"
    ) as http:
        body = (await http.get("/metrics")).text
        assert (await http.get("/healthz")).text == "ok\n"
    assert "# TYPE mcp_sre_tool_calls_total counter" in body
    assert 'mcp_sre_spec_source_stale{provider="aws"' in body
    assert "mcp_sre_spec_source_operations" in body
    assert 'mcp_sre_build_info{version="' in body


async def test_llm_calls_tokens_and_cost_by_model(monkeypatch: pytest.MonkeyPatch) -> None:
    obs = Observability(metrics=observability.Metrics())
    with running_chat_server() as chat:
        env = {
            "MCP_SRE_LLM_BASE_URL": chat.url,
            "MCP_SRE_LLM_MODEL": "stand-in-model",
            "MCP_SRE_LLM_PRICE_INPUT": "2",
            "MCP_SRE_LLM_PRICE_OUTPUT": "10",
        }
        choice = resolve_llm(None, env=env)
        assert choice.llm is not None
        with observability.use(obs):
            reply = await choice.llm.complete([Message(role="user", content="ping")])
        chat.script.append((500, {}, {"error": "down"}, 0.0))
        chat.script.append((400, {}, {"error": "bad request"}, 0.0))
        with observability.use(obs), pytest.raises(Exception, match="refused"):
            await choice.llm.complete([Message(role="user", content="ping")])
    assert reply.text == "echo: ping"
    reg = obs.metrics.registry  # type: ignore[union-attr]
    model = reply.model
    assert (
        reg.get_sample_value(
            "mcp_sre_llm_calls_total", {"model": model, "source": "endpoint", "outcome": "ok"}
        )
        == 1
    )
    assert (
        reg.get_sample_value(
            "mcp_sre_llm_calls_total",
            {"model": "stand-in-model", "source": "endpoint", "outcome": "error"},
        )
        == 1
    )
    assert (
        reg.get_sample_value("mcp_sre_llm_tokens_total", {"model": model, "direction": "input"})
        == 11
    )
    cost = reg.get_sample_value("mcp_sre_llm_cost_total", {"model": model})
    assert cost == pytest.approx((11 * 2 + 7 * 10) / 1e6)


def test_agent_run_outcomes_and_rank_of_called_operation() -> None:
    obs = Observability(metrics=observability.Metrics())
    with observability.use(obs):
        with observability.agent_run("diagnosis") as run:
            run.outcome = "found"
        with pytest.raises(ValueError), observability.agent_run("diagnosis"):
            raise ValueError("no evidence")
    obs.search("pods", "rerank", 0.01, ["k/core/listPods", "k/core/readPod"])
    obs.tool_registered("t", ["k/core/readPod", "k/core/other"])
    reg = obs.metrics.registry  # type: ignore[union-attr]
    assert (
        reg.get_sample_value("mcp_sre_agent_runs_total", {"agent": "diagnosis", "outcome": "found"})
        == 1
    )
    assert (
        reg.get_sample_value("mcp_sre_agent_runs_total", {"agent": "diagnosis", "outcome": "error"})
        == 1
    )
    assert reg.get_sample_value("mcp_sre_retrieval_called_rank_bucket", {"le": "1.0"}) == 0
    assert reg.get_sample_value("mcp_sre_retrieval_called_rank_bucket", {"le": "2.0"}) == 1
    assert reg.get_sample_value("mcp_sre_retrieval_called_rank_count") == 2


def test_metrics_port_in_use_is_a_clear_error() -> None:
    import socket

    from mcp_sre.errors import McpSreError
    from mcp_sre.observability.serving import MetricsServer

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(McpSreError, match=f"metrics port {port} .* already in use"):
            MetricsServer(observability.Metrics().registry, port)
    server = MetricsServer(observability.Metrics().registry, 0)
    try:
        text = httpx.get(f"http://127.0.0.1:{server.port}/metrics").text
        assert "mcp_sre_build_info" in text
    finally:
        server.close()


async def test_metrics_need_the_token_and_healthz_does_not(state: ServerState) -> None:
    from mcp_sre.server.transport import BearerTokenMiddleware

    app = BearerTokenMiddleware(build_server(state).streamable_http_app(), "s3cret-token")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1"
    ) as http:
        assert (await http.get("/metrics")).status_code == 401
        scraped = await http.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
        assert scraped.status_code == 200 and "mcp_sre_build_info" in scraped.text
        assert (await http.get("/healthz")).status_code == 200
