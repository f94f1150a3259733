"""The MCP tool ``investigate``: the ManagerAgent over MCP, with progress and resume.

Each MCP session is a conversation unless the caller names one (``session_id``), so follow-ups
("它的日志呢") resolve against what this client asked before. Cancelling the request stops the
steps still to run (the run is recorded as cancelled and can be resumed).
"""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, Field

from mcp_sre.server.app import client_session, connection_key, tool_errors
from mcp_sre.server.sdk import Context, FastMCP

if TYPE_CHECKING:
    from mcp_sre.server import ServerState

__all__ = ["register_manager_tools"]

log = logging.getLogger("mcp_sre.server")


class _Reply(BaseModel):
    answer: str = Field(description="Your answer")



def register_manager_tools(mcp: FastMCP, state: ServerState) -> None:
    @functools.lru_cache(maxsize=1)
    def manager() -> Any:
        from mcp_sre.agents.manager import ManagerAgent

        return ManagerAgent(state)

    @mcp.tool(annotations={"readOnlyHint": True, "openWorldHint": True})
    @tool_errors
    async def investigate(
        request: Annotated[str, Field(description="The SRE request, English or Chinese, e.g. "
                                      "'帮我分析电商平台业务的健康状况' or a follow-up like "
                                      "'它的日志呢'")] = "",
        session_id: Annotated[str | None, Field(description="Conversation id for follow-ups "
                                                "(default: this MCP session)")] = None,
        resume: Annotated[str | None, Field(description="Run id of an interrupted run to "
                                            "continue after its last finished step")] = None,
        use_llm: Annotated[bool, Field(description="Let a model (configured endpoint or "
                                       "sampling) plan when no playbook fits")] = True,
        ctx: Context | None = None,
    ) -> dict[str, Any]:
        """Answer an SRE request by planning and running steps across the registered tools,
        the code generator, the diagnostic agent and the health agent (read-only). Returns the
        answer plus the plan as it ran (steps, what each observed, what changed the plan) and
        a run id; `resume` continues a run that died. Progress notifications follow the steps.
        """
        from mcp_sre.llm.resolve import resolve_llm

        session = client_session(ctx)
        if session_id is None and session is not None and not resume:
            session_id = f"mcp-{connection_key(session)}"
        llm = resolve_llm(session).llm if use_llm else None
        done = 0

        async def progress(message: str) -> None:
            nonlocal done
            if ctx is None:
                return
            done += 1
            await ctx.report_progress(done, None, message)

        async def ask_user(question: str) -> str | None:
            if ctx is None:
                return None
            try:
                reply = await ctx.elicit(question, _Reply)
            except Exception as exc:  # the client does not offer elicitation
                log.debug("elicitation unavailable: %s", exc)
                return None
            return reply.data.answer if reply.action == "accept" and reply.data else None

        result = await manager().investigate(request, session_id=session_id, resume=resume,
                                             llm=llm, ask_user=ask_user, progress=progress)
        return result.model_dump(mode="json")
