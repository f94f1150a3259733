"""Pick the model that answers a request.

Order: the configured OpenAI-compatible endpoint (the user chose it explicitly), else the
connected MCP client's own model through sampling (if the client offers it), else none -- the
caller then returns a context pack so the calling assistant writes the code itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from mcp_sre.llm import LLM
from mcp_sre.llm.openai_compat import OpenAICompatLLM
from mcp_sre.llm.sampling import SamplingLLM, client_supports_sampling

__all__ = ["LLMChoice", "resolve_llm"]

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


def resolve_llm(session: Any = None, *, env: Mapping[str, str] | None = None) -> LLMChoice:
    """The endpoint from ``MCP_SRE_LLM_*``, else sampling over ``session``, else none.

    A half-configured endpoint (URL without model) raises ``LLMUnavailableError``: silently
    falling back would hide the user's mistake.
    """
    endpoint = OpenAICompatLLM.from_env(env)
    if endpoint is not None:
        return LLMChoice(endpoint, "endpoint",
                         f"OpenAI-compatible endpoint {endpoint.settings.url} "
                         f"(model {endpoint.settings.model})")
    if session is not None and client_supports_sampling(session):
        return LLMChoice(SamplingLLM(session), "sampling", "the MCP client's model (sampling)")
    why = ("no MCP_SRE_LLM_BASE_URL configured and the client does not offer sampling"
           if session is not None else "no MCP_SRE_LLM_BASE_URL configured")
    return LLMChoice(None, "none", why)
