"""Pick the model that answers a request.

Order: the configured OpenAI-compatible endpoint (the user chose it explicitly), else the
connected MCP client's own model through sampling (if the client offers it), else none -- the
caller then returns a context pack so the calling assistant writes the code itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import anyio

from mcp_sre import observability
from mcp_sre.llm import LLM, Completion, Message
from mcp_sre.llm.openai_compat import OpenAICompatLLM

if TYPE_CHECKING:
    from mcp_sre.config import Settings

__all__ = ["LLMChoice", "ObservedLLM", "query_rewrite_llm", "resolve_llm"]

Source = Literal["endpoint", "sampling", "none"]


@dataclass(frozen=True)
class LLMChoice:
    """The model picked for one request, and why."""

    llm: LLM | None
    source: Source
    label: str  # one line for logs and replies: which model, or why none

    @property
    def available(self) -> bool:
        return self.llm is not None


class ObservedLLM:
    """An LLM whose calls are counted, timed and logged (model, tokens, cost) on the current
    observability; everything else is the wrapped client's."""

    def __init__(self, llm: Any, source: str) -> None:
        self.llm, self.source = llm, source

    def __getattr__(self, name: str) -> Any:
        return getattr(self.llm, name)

    def __repr__(self) -> str:
        return repr(self.llm)

    async def complete(self, messages: list[Message], *, max_tokens: int = 2048,
                       temperature: float = 0.0) -> Completion:
        obs = observability.current()
        started = time.perf_counter()
        model = getattr(getattr(self.llm, "settings", None), "model", "") or ""
        try:
            reply = await self.llm.complete(messages, max_tokens=max_tokens,
                                            temperature=temperature)
        except Exception:
            obs.llm_call(source=self.source, model=model, outcome="error",
                         seconds=time.perf_counter() - started)
            raise
        obs.llm_call(source=self.source, model=reply.model or model,
                     seconds=time.perf_counter() - started, input_tokens=reply.input_tokens,
                     output_tokens=reply.output_tokens, cost=getattr(reply, "cost", None))
        return reply


def resolve_llm(session: Any = None, *, env: Mapping[str, str] | None = None) -> LLMChoice:
    """The endpoint from ``MCP_SRE_LLM_*``, else sampling over ``session``, else none.

    A half-configured endpoint (URL without model) raises ``LLMUnavailableError``: silently
    falling back would hide the user's mistake.
    """
    endpoint = OpenAICompatLLM.from_env(env)
    if endpoint is not None:
        return LLMChoice(ObservedLLM(endpoint, "endpoint"), "endpoint",
                         f"OpenAI-compatible endpoint {endpoint.settings.url} "
                         f"(model {endpoint.settings.model})")
    if session is not None:  # the MCP SDK's types (a second to import): only with a client
        from mcp_sre.llm.sampling import SamplingLLM, client_supports_sampling

        if client_supports_sampling(session):
            return LLMChoice(ObservedLLM(SamplingLLM(session), "sampling"), "sampling",
                             "the MCP client's model (sampling)")
    why = ("no MCP_SRE_LLM_BASE_URL configured and the client does not offer sampling"
           if session is not None else "no MCP_SRE_LLM_BASE_URL configured")
    return LLMChoice(None, "none", why)


def query_rewrite_llm(settings: Settings, env: Mapping[str, str] | None = None
                      ) -> Callable[[str], str] | None:
    """The retrieval rewriter's LLM seam, ``(prompt) -> text``: the configured endpoint when
    ``settings.llm_query_rewrite`` is on, else None (searches then never wait on a model).

    Synchronous on purpose: searches run in worker threads, outside the event loop. Answers
    are remembered per prompt, so a repeated request costs one model call.
    """
    if not settings.llm_query_rewrite:
        return None
    found = OpenAICompatLLM.from_env(env)
    if found is None:
        return None
    endpoint = ObservedLLM(found, "endpoint")

    @lru_cache(maxsize=1024)
    def ask(prompt: str) -> str:
        async def call() -> str:
            reply = await endpoint.complete([Message(role="user", content=prompt)],
                                            max_tokens=64)
            return reply.text

        return anyio.run(call)

    return ask
