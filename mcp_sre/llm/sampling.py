"""Ask the connected client's own model through MCP sampling (``sampling/createMessage``)."""

from __future__ import annotations

from typing import Any

from mcp.shared.exceptions import NoBackChannelError
from mcp.types import ClientCapabilities, SamplingCapability, SamplingMessage, TextContent

from mcp_sre.llm import Completion, LLMUnavailableError, Message

__all__ = ["SamplingLLM", "client_supports_sampling"]

_HINT = ("set MCP_SRE_LLM_BASE_URL/MCP_SRE_LLM_MODEL for an OpenAI-compatible endpoint, or "
         "write the code yourself from generate_tool's context pack")


def client_supports_sampling(session: Any) -> bool:
    try:
        return bool(session.check_client_capability(
            ClientCapabilities(sampling=SamplingCapability())))
    except Exception:
        return False


class SamplingLLM:
    """The LLM seam over an MCP server session (usable only inside a request)."""

    def __init__(self, session: Any) -> None:
        if not client_supports_sampling(session):
            raise LLMUnavailableError("the connected MCP client does not offer sampling",
                                      hint=_HINT)
        self.session = session

    async def complete(self, messages: list[Message], *, max_tokens: int = 2048,
                       temperature: float = 0.0) -> Completion:
        system = "\n\n".join(m.content for m in messages if m.role == "system") or None
        convo = [SamplingMessage(role=m.role, content=TextContent(type="text", text=m.content))
                 for m in messages if m.role != "system"]
        try:
            result = await self.session.create_message(
                messages=convo, max_tokens=max_tokens, system_prompt=system,
                temperature=temperature,
            )
        except NoBackChannelError as exc:  # e.g. a 2026-07-28 client: no server-to-client requests
            raise LLMUnavailableError(
                "the connected MCP client offers sampling but this connection cannot carry "
                "a server-to-client request", hint=_HINT) from exc
        content = result.content
        text = content.text if isinstance(content, TextContent) else str(content)
        return Completion(text=text, model=result.model or "")
