"""The FastMCP subclass behind mcp-sre: static tools plus tools added and removed at run time.

Dynamic tools (generated tools from the registry, plugin tools) carry their own JSON Schema;
arguments are validated against it before the handler runs. Adding or removing one sends
``notifications/tools/list_changed`` to every connected session that has talked to us.
"""

from __future__ import annotations

import functools
import json
import logging
import weakref
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ParamSpec, TypeVar

import anyio
import jsonschema
from mcp.types import ContentBlock, TextContent, ToolAnnotations
from mcp.types import Tool as MCPTool
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from mcp_sre.errors import McpSreError
from mcp_sre.observability import DISABLED, Observability
from mcp_sre.server import schemas
from mcp_sre.server.sdk import Context, FastMCP, NotificationOptions, ToolError

__all__ = ["DynamicTool", "SreMCP", "client_session", "in_thread", "progress_reporter",
           "tool_errors"]

log = logging.getLogger("mcp_sre.server")
P = ParamSpec("P")
R = TypeVar("R")
Handler = Callable[[dict[str, Any], Context | None], Awaitable[Any]]


class DynamicTool(BaseModel):
    """A tool defined by data (a JSON Schema and a handler), not by a Python signature."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str = Field(description="Unique tool name")
    description: str = Field(description="What it does, for the model that picks tools")
    input_schema: dict[str, Any] = Field(description="JSON Schema of the arguments object")
    output_schema: dict[str, Any] | None = Field(default=None, description="Schema of the result")
    handler: Handler = Field(description="async (arguments, context) -> JSON-safe result")
    read_only: bool = Field(default=True, description="Advertised as readOnlyHint")
    meta: dict[str, Any] | None = Field(default=None, description="Extra metadata (_meta)")


def tool_errors(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Turn our typed errors into MCP tool errors (isError) with an actionable message."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except McpSreError as exc:
            raise ToolError(f"{type(exc).__name__}: {exc}") from exc

    return wrapper


def argument_errors(tool: str, exc: PydanticValidationError) -> str:
    """``invalid arguments for search_apis: top_k: must be >= 1 (got 0)``, not pydantic's
    multi-line report with its model names and documentation links."""
    parts = []
    for error in exc.errors(include_url=False):
        where = "/".join(str(p) for p in error.get("loc", ())) or "arguments"
        got = f" (got {error['input']!r})" if "input" in error and error.get("type") != \
            "missing" and not isinstance(error["input"], dict) else ""
        parts.append(f"{where}: {error.get('msg', 'invalid')}{got}"[:300])
    return f"invalid arguments for {tool}: " + "; ".join(parts[:10])


async def in_thread(fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """Run blocking work in a worker thread; the event loop keeps serving other requests.

    A cancelled request returns at once; the thread finishes on its own (every write it makes
    is atomic, so abandoning it leaves nothing half-done)."""
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs),
                                          abandon_on_cancel=True)


def client_session(ctx: Context | None) -> Any:
    """The MCP session behind ``ctx`` (for sampling), or None outside a request."""
    if ctx is None:
        return None
    try:
        return ctx.session
    except ValueError:  # called outside a request
        return None


def progress_reporter(ctx: Context | None) -> Callable[[int, int, str], None] | None:
    """A callback a worker thread can call to send MCP progress notifications."""
    if ctx is None:
        return None
    try:
        meta = ctx.request_context.meta
    except ValueError:
        return None
    if meta is None or meta.progressToken is None:
        return None

    def report(done: int, total: int, message: str) -> None:
        try:
            anyio.from_thread.run(ctx.report_progress, done, total, message)
        except Exception as exc:  # the client went away; the work itself goes on
            log.debug("progress not delivered: %s", exc)

    return report


class SreMCP(FastMCP):
    """FastMCP with run-time tools and list_changed notifications."""

    def __init__(self, *args: Any, observability: Observability | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.observability = observability or DISABLED
        # called for a tool name neither built in nor listed (registered tools outside the
        # tool budget): async (name, arguments) -> result
        self.unlisted_tool: Callable[[str, dict[str, Any]], Awaitable[Any]] | None = None
        schemas.install()
        self._dynamic: dict[str, DynamicTool] = {}
        self._sessions: weakref.WeakSet[Any] = weakref.WeakSet()
        self._mcp_server.create_initialization_options = functools.partial(  # type: ignore[method-assign]
            self._mcp_server.create_initialization_options,
            NotificationOptions(tools_changed=True),
        )

    def _remember_session(self) -> None:
        try:
            self._sessions.add(self.get_context().session)
        except (ValueError, LookupError):
            pass

    async def list_tools(self) -> list[MCPTool]:
        self._remember_session()
        tools = await super().list_tools()
        static = {t.name for t in tools}
        for dyn in self._dynamic.values():
            if dyn.name in static:
                continue
            tools.append(MCPTool(
                name=dyn.name, description=dyn.description, inputSchema=dyn.input_schema,
                outputSchema=dyn.output_schema,
                annotations=ToolAnnotations(readOnlyHint=dyn.read_only), _meta=dyn.meta,
            ))
        return tools

    async def call_tool(self, name: str, arguments: dict[str, Any]
                        ) -> Sequence[ContentBlock] | dict[str, Any]:
        """Every tool call, observed (request id, metrics, one log event, a span)."""
        self._remember_session()
        return await self.observability.tool_call(
            name, functools.partial(self._call_tool, name, arguments))

    async def _call_tool(self, name: str, arguments: dict[str, Any]
                         ) -> Sequence[ContentBlock] | dict[str, Any]:
        dyn = self._dynamic.get(name)
        builtin = self._tool_manager.get_tool(name) is not None
        if dyn is None and not builtin and self.unlisted_tool is not None:
            try:
                result = await self.unlisted_tool(name, arguments or {})
            except McpSreError as exc:
                raise ToolError(f"{type(exc).__name__}: {exc}") from exc
            if isinstance(result, dict):  # structured, like every other tool's object result
                return result
            return [TextContent(type="text", text=json.dumps(result, ensure_ascii=False,
                                                            default=str))]
        if dyn is None or builtin:
            try:
                return await super().call_tool(name, arguments)
            except ToolError as exc:  # the SDK's argument check: say what to fix, once
                if isinstance(exc.__cause__, PydanticValidationError):
                    raise ToolError(argument_errors(name, exc.__cause__)) from None
                raise
        try:
            schemas.validate(arguments or {}, dyn.input_schema)
        except jsonschema.ValidationError as exc:
            where = "/".join(str(p) for p in exc.absolute_path) or "arguments"
            raise ToolError(f"invalid arguments for {name}: {where}: {exc.message}") from exc
        try:
            result = await dyn.handler(arguments or {}, self.get_context())
        except McpSreError as exc:
            raise ToolError(f"{type(exc).__name__}: {exc}") from exc
        if isinstance(result, dict):  # structured content, with or without a declared schema
            return result
        return [TextContent(type="text", text=json.dumps(result, ensure_ascii=False, default=str))]

    def dynamic_tools(self) -> list[str]:
        return sorted(self._dynamic)

    def put_dynamic_tool(self, tool: DynamicTool, *, replace: bool = True) -> None:
        """Add (or replace) a run-time tool without notifying anyone (use at start-up)."""
        if self._tool_manager.get_tool(tool.name) is not None:
            raise McpSreError(f"tool name {tool.name!r} is taken by a built-in tool")
        if tool.name in self._dynamic and not replace:
            raise McpSreError(f"a tool named {tool.name!r} exists already")
        self._dynamic[tool.name] = tool

    async def add_dynamic_tool(self, tool: DynamicTool, *, replace: bool = True) -> None:
        """Add (or replace) a run-time tool and tell connected clients."""
        self.put_dynamic_tool(tool, replace=replace)
        await self.notify_tools_changed()

    async def remove_dynamic_tool(self, name: str) -> bool:
        removed = self._dynamic.pop(name, None) is not None
        if removed:
            await self.notify_tools_changed()
        return removed

    async def notify_tools_changed(self) -> None:
        for session in list(self._sessions):
            try:
                await session.send_tool_list_changed()
            except Exception as exc:  # a closed session must not break the others
                log.debug("list_changed not delivered: %s", exc)
                self._sessions.discard(session)
