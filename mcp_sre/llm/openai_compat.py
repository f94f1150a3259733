"""An OpenAI-compatible chat-completions client: OpenAI, DeepSeek, Qwen/DashScope, Volcano Engine
Ark, vLLM, Ollama, llama.cpp's server -- anything that serves ``POST {base}/chat/completions``.

Configured from the environment (``MCP_SRE_LLM_BASE_URL``, ``MCP_SRE_LLM_MODEL``,
``MCP_SRE_LLM_API_KEY``, optional ``MCP_SRE_LLM_TIMEOUT_S``, ``MCP_SRE_LLM_MAX_RETRIES``,
``MCP_SRE_LLM_PRICE_INPUT`` / ``MCP_SRE_LLM_PRICE_OUTPUT`` in currency units per million
tokens). Network errors, timeouts, 429 and 5xx are retried with exponential backoff and jitter
(a ``Retry-After`` header wins); anything else fails at once with a typed error that says what
to fix. Every call is accounted: tokens as the endpoint reported them, cost when prices are set.
"""

from __future__ import annotations

import email.utils
import os
import random
import threading
import time
from collections.abc import Mapping
from typing import Any

import anyio
import httpx
from pydantic import BaseModel, Field, SecretStr

from mcp_sre.llm import Completion, LLMUnavailableError, Message

__all__ = [
    "EndpointCompletion",
    "EndpointSettings",
    "LLMEndpointError",
    "OpenAICompatLLM",
    "UsageLedger",
]

RETRY_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529})


class LLMEndpointError(LLMUnavailableError):
    """The endpoint refused or kept failing; the message names the endpoint and the cause."""


class EndpointSettings(BaseModel):
    """Where the endpoint is and how patiently to talk to it."""

    base_url: str = Field(description="API root, e.g. https://api.deepseek.com/v1 or "
                          "http://127.0.0.1:11434/v1 (Ollama)")
    model: str = Field(description="Model name the endpoint expects")
    api_key: SecretStr | None = Field(default=None, description="Bearer token, if required")
    timeout_s: float = Field(default=120.0, gt=0, description="Per-attempt timeout")
    connect_timeout_s: float = Field(default=10.0, gt=0, description="TCP/TLS connect timeout")
    max_retries: int = Field(default=4, ge=0, description="Retries after the first attempt")
    backoff_base_s: float = Field(default=0.5, ge=0, description="First backoff delay")
    backoff_max_s: float = Field(default=30.0, ge=0, description="Longest single delay")
    price_input: float | None = Field(default=None, ge=0,
                                      description="Price per million prompt tokens")
    price_output: float | None = Field(default=None, ge=0,
                                       description="Price per million completion tokens")

    @property
    def url(self) -> str:
        base = self.base_url.rstrip("/")
        return base if base.endswith("/chat/completions") else f"{base}/chat/completions"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> EndpointSettings | None:
        """The configured endpoint, or None when ``MCP_SRE_LLM_BASE_URL`` is unset."""
        env = os.environ if env is None else env
        base = env.get("MCP_SRE_LLM_BASE_URL", "").strip()
        if not base:
            return None
        model = env.get("MCP_SRE_LLM_MODEL", "").strip()
        if not model:
            raise LLMUnavailableError("MCP_SRE_LLM_BASE_URL is set but MCP_SRE_LLM_MODEL is not",
                                      hint="set MCP_SRE_LLM_MODEL to the model name the "
                                      "endpoint serves")
        data: dict[str, Any] = {"base_url": base, "model": model,
                                "api_key": env.get("MCP_SRE_LLM_API_KEY") or None}
        numeric = {"MCP_SRE_LLM_TIMEOUT_S": "timeout_s", "MCP_SRE_LLM_MAX_RETRIES": "max_retries",
                   "MCP_SRE_LLM_PRICE_INPUT": "price_input",
                   "MCP_SRE_LLM_PRICE_OUTPUT": "price_output"}
        for var, key in numeric.items():
            raw = env.get(var, "").strip()
            if raw:
                try:
                    data[key] = int(raw) if key == "max_retries" else float(raw)
                except ValueError as exc:
                    raise LLMUnavailableError(f"{var}={raw!r} is not a number") from exc
        return cls(**data)


class EndpointCompletion(Completion):
    """A completion plus what it cost to get it."""

    attempts: int = Field(default=1, description="HTTP attempts made (1 = no retry)")
    duration_ms: float = Field(default=0.0, description="Wall time including retries")
    cost: float | None = Field(default=None, description="Cost from the price settings")


class UsageLedger(BaseModel):
    """Running totals over every call of one client (thread-safe updates)."""

    calls: int = Field(default=0, description="Completed calls")
    failures: int = Field(default=0, description="Calls that ended in an error")
    retries: int = Field(default=0, description="Extra attempts across all calls")
    input_tokens: int = Field(default=0, description="Prompt tokens reported")
    output_tokens: int = Field(default=0, description="Completion tokens reported")
    cost: float = Field(default=0.0, description="Sum of per-call costs (0 without prices)")
    history: list[EndpointCompletion] = Field(default_factory=list,
                                              description="Per-call records (text elided)")


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _error_detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300].strip()
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict):
        return str(err.get("message") or err)[:300]
    return str(err or body)[:300]


def _content_text(content: Any) -> str:
    """``message.content`` is a string, or (some servers) a list of typed parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


class OpenAICompatLLM:
    """The LLM seam over an OpenAI-compatible endpoint."""

    def __init__(self, settings: EndpointSettings, *, transport: httpx.AsyncBaseTransport | None
                 = None, rng: random.Random | None = None) -> None:
        self.settings = settings
        self.usage = UsageLedger()
        self._transport = transport
        self._rng = rng or random.Random()
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> OpenAICompatLLM | None:
        settings = EndpointSettings.from_env(env)
        return cls(settings) if settings else None

    def __repr__(self) -> str:
        return f"OpenAICompatLLM(model={self.settings.model!r}, url={self.settings.url!r})"

    def backoff(self, attempt: int, response: httpx.Response | None = None) -> float:
        """Delay before retry ``attempt`` (1-based): Retry-After if given, else exponential
        with "equal jitter" (half fixed, half random) so parallel clients spread out."""
        if response is not None:
            hinted = _retry_after(response)
            if hinted is not None:
                return min(hinted, max(self.settings.backoff_max_s, 1.0) * 4)
        ceiling = min(self.settings.backoff_max_s, self.settings.backoff_base_s * 2 ** (attempt
                                                                                        - 1))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.settings.api_key is not None:
            headers["Authorization"] = f"Bearer {self.settings.api_key.get_secret_value()}"
        return headers

    def _cost(self, input_tokens: int | None, output_tokens: int | None) -> float | None:
        s = self.settings
        if s.price_input is None and s.price_output is None:
            return None
        return ((input_tokens or 0) * (s.price_input or 0.0)
                + (output_tokens or 0) * (s.price_output or 0.0)) / 1e6

    async def complete(self, messages: list[Message], *, max_tokens: int = 2048,
                       temperature: float = 0.0) -> EndpointCompletion:
        payload = {"model": self.settings.model, "max_tokens": max_tokens,
                   "temperature": temperature, "stream": False,
                   "messages": [{"role": m.role, "content": m.content} for m in messages]}
        timeout = httpx.Timeout(self.settings.timeout_s,
                                connect=min(self.settings.connect_timeout_s,
                                            self.settings.timeout_s))
        started = time.perf_counter()
        attempts = 0
        async with httpx.AsyncClient(timeout=timeout, transport=self._transport,
                                     follow_redirects=True) as client:
            while True:
                attempts += 1
                response: httpx.Response | None = None
                problem: str
                try:
                    response = await client.post(self.settings.url, json=payload,
                                                 headers=self._headers())
                except httpx.TimeoutException as exc:
                    problem = (f"timed out after {self.settings.timeout_s:g}s "
                               f"({type(exc).__name__})")
                except httpx.TransportError as exc:
                    problem = f"network error: {type(exc).__name__}: {exc}"
                else:
                    if response.status_code < 400:
                        return self._accept(response, attempts, started)
                    problem = f"HTTP {response.status_code}: {_error_detail(response)}"
                    if response.status_code not in RETRY_STATUSES:
                        self._fail(attempts)
                        raise LLMEndpointError(f"LLM endpoint {self.settings.url} refused the "
                                               f"request: {problem}",
                                               hint=self._hint(response.status_code))
                if attempts > self.settings.max_retries:
                    self._fail(attempts)
                    raise LLMEndpointError(
                        f"LLM endpoint {self.settings.url} failed {attempts} time(s); last: "
                        f"{problem}", hint="check that the server is up, or raise "
                        "MCP_SRE_LLM_TIMEOUT_S / MCP_SRE_LLM_MAX_RETRIES")
                await anyio.sleep(self.backoff(attempts, response))

    def _hint(self, status: int) -> str:
        if status in (401, 403):
            return "check MCP_SRE_LLM_API_KEY"
        if status == 404:
            return (f"check MCP_SRE_LLM_BASE_URL (requests go to {self.settings.url}) and that "
                    f"model {self.settings.model!r} exists there")
        return "the request was rejected as sent; check the model name and the endpoint's limits"

    def _fail(self, attempts: int) -> None:
        with self._lock:
            self.usage.failures += 1
            self.usage.retries += attempts - 1

    def _accept(self, response: httpx.Response, attempts: int,
                started: float) -> EndpointCompletion:
        try:
            body = response.json()
            choice = body["choices"][0]
            message = choice.get("message") or {}
            text = _content_text(message.get("content"))
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            self._fail(attempts)
            raise LLMEndpointError(
                f"LLM endpoint {self.settings.url} sent a reply that is not a chat completion "
                f"({type(exc).__name__}: {str(exc)[:120]}): {response.text[:200]!r}",
                hint="the URL must serve the OpenAI chat-completions API") from exc
        usage = body.get("usage") or {}
        input_tokens = usage.get("prompt_tokens") if isinstance(usage, dict) else None
        output_tokens = usage.get("completion_tokens") if isinstance(usage, dict) else None
        completion = EndpointCompletion(
            text=text, model=str(body.get("model") or self.settings.model),
            input_tokens=input_tokens if isinstance(input_tokens, int) else None,
            output_tokens=output_tokens if isinstance(output_tokens, int) else None,
            attempts=attempts, duration_ms=(time.perf_counter() - started) * 1000,
        )
        completion.cost = self._cost(completion.input_tokens, completion.output_tokens)
        with self._lock:
            ledger = self.usage
            ledger.calls += 1
            ledger.retries += attempts - 1
            ledger.input_tokens += completion.input_tokens or 0
            ledger.output_tokens += completion.output_tokens or 0
            ledger.cost += completion.cost or 0.0
            ledger.history.append(completion.model_copy(update={"text": ""}))
        return completion
