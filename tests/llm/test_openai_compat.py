"""The OpenAI-compatible client against a real HTTP server on 127.0.0.1 that speaks the
chat-completions protocol, with scripted failures (429, 500, hangs, bad replies)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

if str(Path(__file__).resolve().parents[1]) not in sys.path:  # tests/ holds chat_endpoint
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from chat_endpoint import ChatServer, running_chat_server

from mcp_sre.llm import LLMUnavailableError, Message
from mcp_sre.llm.openai_compat import (
    EndpointSettings,
    LLMEndpointError,
    OpenAICompatLLM,
)
from mcp_sre.llm.resolve import resolve_llm

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    with running_chat_server() as server:
        yield server


def settings_for(server: ChatServer, **overrides: Any) -> EndpointSettings:
    data: dict[str, Any] = {"base_url": server.url, "model": "stand-in-model",
                            "api_key": "sk-test", "backoff_base_s": 0.01,
                            "backoff_max_s": 0.05, "timeout_s": 5.0}
    data.update(overrides)
    return EndpointSettings(**data)


async def _ask(llm: OpenAICompatLLM, text: str = "ping") -> Any:
    return await llm.complete([Message(role="system", content="be brief"),
                               Message(role="user", content=text)], max_tokens=64)


async def test_success_sends_the_protocol_and_accounts_usage(chat_server: ChatServer) -> None:
    llm = OpenAICompatLLM(settings_for(chat_server, price_input=2.0, price_output=8.0))
    answer = await _ask(llm)
    assert answer.text == "echo: ping"
    assert answer.model == "stand-in-model" and answer.attempts == 1
    assert (answer.input_tokens, answer.output_tokens) == (11, 7)
    assert answer.cost == pytest.approx((11 * 2.0 + 7 * 8.0) / 1e6)
    sent = chat_server.requests[0]
    assert chat_server.paths == ["/v1/chat/completions"]
    assert sent["model"] == "stand-in-model" and sent["max_tokens"] == 64
    assert sent["messages"] == [{"role": "system", "content": "be brief"},
                                {"role": "user", "content": "ping"}]
    assert chat_server.headers[0]["Authorization"] == "Bearer sk-test"
    await _ask(llm)
    assert llm.usage.calls == 2 and llm.usage.input_tokens == 22
    assert llm.usage.output_tokens == 14 and llm.usage.retries == 0
    assert llm.usage.cost == pytest.approx(2 * (11 * 2.0 + 7 * 8.0) / 1e6)
    assert "sk-test" not in repr(llm) and "sk-test" not in llm.settings.model_dump_json()


async def test_429_then_success_honours_retry_after(chat_server: ChatServer) -> None:
    chat_server.script = [(429, {"Retry-After": "1"}, {"error": {"message": "slow down"}}, 0)]
    llm = OpenAICompatLLM(settings_for(chat_server))
    t0 = time.perf_counter()
    answer = await _ask(llm)
    elapsed = time.perf_counter() - t0
    assert answer.text == "echo: ping" and answer.attempts == 2
    assert elapsed >= 0.9, "Retry-After: 1 was not honoured"  # plain backoff would be <= 0.05 s
    assert len(chat_server.requests) == 2 and llm.usage.retries == 1


async def test_500s_are_retried_then_succeed(chat_server: ChatServer) -> None:
    chat_server.script = [(500, {}, {"error": {"message": "boom"}}, 0),
                          (503, {}, b"upstream unavailable", 0)]
    llm = OpenAICompatLLM(settings_for(chat_server))
    answer = await _ask(llm)
    assert answer.attempts == 3 and len(chat_server.requests) == 3
    assert llm.usage.calls == 1 and llm.usage.retries == 2


async def test_persistent_500_gives_a_typed_error(chat_server: ChatServer) -> None:
    chat_server.script = [(500, {}, {"error": {"message": "model crashed"}}, 0)] * 3
    llm = OpenAICompatLLM(settings_for(chat_server, max_retries=2))
    with pytest.raises(LLMEndpointError, match=r"failed 3 time\(s\).*HTTP 500: model crashed"):
        await _ask(llm)
    assert len(chat_server.requests) == 3 and llm.usage.failures == 1


async def test_timeout_is_retried(chat_server: ChatServer) -> None:
    chat_server.script = [(200, {}, None, 3.0)]  # the first attempt hangs past the timeout
    llm = OpenAICompatLLM(settings_for(chat_server, timeout_s=0.4))
    t0 = time.perf_counter()
    answer = await _ask(llm, "again")
    assert answer.text == "echo: again" and answer.attempts == 2
    assert time.perf_counter() - t0 < 2.5


async def test_timeout_every_time_is_a_bounded_typed_error(chat_server: ChatServer) -> None:
    chat_server.script = [(200, {}, None, 5.0)] * 2
    llm = OpenAICompatLLM(settings_for(chat_server, timeout_s=0.3, max_retries=1))
    t0 = time.perf_counter()
    with pytest.raises(LLMEndpointError, match=r"timed out after 0\.3s"):
        await _ask(llm)
    assert time.perf_counter() - t0 < 2.0
    assert isinstance(LLMEndpointError("x"), LLMUnavailableError)


async def test_client_errors_are_not_retried(chat_server: ChatServer) -> None:
    chat_server.script = [(401, {}, {"error": {"message": "invalid api key"}}, 0)]
    llm = OpenAICompatLLM(settings_for(chat_server))
    with pytest.raises(LLMEndpointError, match="HTTP 401: invalid api key") as info:
        await _ask(llm)
    assert "MCP_SRE_LLM_API_KEY" in str(info.value)
    assert len(chat_server.requests) == 1


async def test_a_reply_that_is_not_a_completion(chat_server: ChatServer) -> None:
    chat_server.script = [(200, {}, {"object": "list", "data": []}, 0)]
    llm = OpenAICompatLLM(settings_for(chat_server))
    with pytest.raises(LLMEndpointError, match="not a chat completion"):
        await _ask(llm)


async def test_content_parts_and_missing_usage(chat_server: ChatServer) -> None:
    chat_server.script = [(200, {}, {"choices": [{"message": {"role": "assistant", "content": [
        {"type": "text", "text": "part one, "}, {"type": "text", "text": "part two"}]}}]}, 0)]
    answer = await _ask(OpenAICompatLLM(settings_for(chat_server)))
    assert answer.text == "part one, part two"
    assert answer.input_tokens is None and answer.cost is None


async def test_nothing_listening_is_a_network_error() -> None:
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    llm = OpenAICompatLLM(EndpointSettings(base_url=f"http://127.0.0.1:{port}", model="m",
                                           max_retries=1, backoff_base_s=0.01))
    with pytest.raises(LLMEndpointError, match=r"failed 2 time.*network error"):
        await _ask(llm)


def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    import random

    llm = OpenAICompatLLM(EndpointSettings(base_url="http://x", model="m", backoff_base_s=1.0,
                                           backoff_max_s=8.0), rng=random.Random(7))
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)]:
        delays = {llm.backoff(attempt) for _ in range(20)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1, "no jitter"


def test_settings_from_env() -> None:
    assert EndpointSettings.from_env({}) is None
    with pytest.raises(LLMUnavailableError, match="MCP_SRE_LLM_MODEL"):
        EndpointSettings.from_env({"MCP_SRE_LLM_BASE_URL": "http://127.0.0.1:1/v1"})
    with pytest.raises(LLMUnavailableError, match="not a number"):
        EndpointSettings.from_env({"MCP_SRE_LLM_BASE_URL": "http://h/v1",
                                   "MCP_SRE_LLM_MODEL": "m", "MCP_SRE_LLM_TIMEOUT_S": "soon"})
    s = EndpointSettings.from_env({"MCP_SRE_LLM_BASE_URL": "https://api.deepseek.com/v1/",
                                   "MCP_SRE_LLM_MODEL": "deepseek-chat",
                                   "MCP_SRE_LLM_PRICE_INPUT": "0.27",
                                   "MCP_SRE_LLM_MAX_RETRIES": "2"})
    assert s is not None and s.url == "https://api.deepseek.com/v1/chat/completions"
    assert s.price_input == 0.27 and s.max_retries == 2 and s.api_key is None


def test_resolve_prefers_the_configured_endpoint() -> None:
    env = {"MCP_SRE_LLM_BASE_URL": "http://127.0.0.1:9/v1", "MCP_SRE_LLM_MODEL": "qwen-plus"}
    choice = resolve_llm(object(), env=env)
    assert choice.source == "endpoint" and isinstance(choice.llm.llm, OpenAICompatLLM)
    assert "qwen-plus" in choice.label
    none = resolve_llm(None, env={})
    assert none.source == "none" and none.llm is None and not none.available
    assert "MCP_SRE_LLM_BASE_URL" in none.label
    no_sampling = resolve_llm(object(), env={})  # a session that cannot sample
    assert no_sampling.source == "none" and "does not offer sampling" in no_sampling.label

