"""Agents that write code: the CodeGenerator (a ReAct loop over any LLM, the sandbox and the
registry's checks) and, when no model is available, the context pack for the calling
assistant."""

from mcp_sre.agents.codegen import CodeGenerator, GenerationResult, RoundRecord
from mcp_sre.agents.context_pack import ContextPack, build_context_pack

__all__ = ["CodeGenerator", "ContextPack", "GenerationResult", "RoundRecord",
           "build_context_pack"]
