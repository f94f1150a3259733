"""One small LLM seam: ``complete(messages) -> Completion``, whatever answers it.

Implementations: the connected MCP client's own model (sampling), an OpenAI-compatible HTTP
endpoint, or none (the calling assistant writes the code itself).
"""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import BaseModel, Field

from mcp_sre.errors import McpSreError

__all__ = ["LLM", "Completion", "LLMUnavailableError", "Message"]


class Message(BaseModel):
    role: Literal["system", "user", "assistant"] = Field(description="Who speaks")
    content: str = Field(description="Plain text")


class Completion(BaseModel):
    text: str = Field(description="The model's answer")
    model: str = Field(default="", description="Model that answered, if known")
    input_tokens: int | None = Field(default=None, description="Prompt tokens, if reported")
    output_tokens: int | None = Field(default=None, description="Completion tokens, if reported")


class LLMUnavailableError(McpSreError):
    """No model can be asked: the client lacks sampling and no endpoint is configured."""


class LLM(Protocol):
    async def complete(self, messages: list[Message], *, max_tokens: int = 2048,
                       temperature: float = 0.0) -> Completion: ...
