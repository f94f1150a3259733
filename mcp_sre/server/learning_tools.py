"""``feedback``: tell the server whether a search, run, diagnosis or tool call was right, so
its lessons improve the next answer (``mcp-sre lessons`` shows and removes them)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from mcp_sre.server.app import in_thread, tool_errors
from mcp_sre.server.sdk import FastMCP

if TYPE_CHECKING:
    from mcp_sre.server import ServerState

__all__ = ["learn_from_runs", "register_learning_tools"]


def learn_from_runs(state: ServerState, tool: Callable[..., Awaitable[Any]],
                    ) -> Callable[..., Awaitable[Any]]:
    """Wrap ``run_code``: a successful run confirms the searches that listed the operations
    it called (implicit feedback), and every run gets a ``ref`` for the feedback tool."""

    @functools.wraps(tool)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = await tool(*args, **kwargs)
        learner = state.learner
        if learner is None or not hasattr(result, "calls"):
            return result
        called = [c.operation for c in result.calls if c.decision == "allowed"
                  and c.error is None]
        if result.ok:
            await in_thread(learner.record_calls, called)
        code = str(kwargs.get("code", args[0] if args else ""))
        result.ref = await in_thread(learner.record, "run", code[:2000], {
            "operations": called, "ok": result.ok,
            "error": result.error.message if result.error else ""}, "r")
        return result

    return wrapper


def register_learning_tools(mcp: FastMCP, state: ServerState) -> None:
    @mcp.tool(annotations={"readOnlyHint": False, "idempotentHint": False})
    @tool_errors
    async def feedback(
        ref: Annotated[str, Field(description="The ref a search_apis result, run_code result, "
                                  "diagnosis, find_tool answer or health report carried "
                                  "(s-..., r-..., d-..., t-..., h-...)")],
        verdict: Annotated[Literal["right", "wrong"], Field(description="Was it right?")],
        correction: Annotated[str | None, Field(
            description="What was right instead: the operation id the search should have put "
            "first, the real root cause, or how the code had to change")] = None,
    ) -> dict[str, Any]:
        """Say whether an answer was right. A wrong search with the right operation teaches a
        lesson that ranks it first for similar requests; a corrected run leaves a note for the
        code writer. Lessons change rankings and notes only, never what may run."""
        from mcp_sre.errors import ValidationError

        learner = state.learner
        if learner is None:
            raise ValidationError("learning is off (MCP_SRE_LEARNING=0)",
                                  hint="unset MCP_SRE_LEARNING to record feedback")
        out = await in_thread(learner.feedback, ref, verdict, correction)
        publisher = state.publisher
        if out["kind"] == "tool_call" and publisher is not None:  # its description grows now
            for lesson in out["lessons"]:
                publisher.exposed.pop(lesson["target"], None)
            await publisher.sync()
        return out
