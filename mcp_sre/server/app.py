"""The MCPServer subclass behind mcp-sre: static tools plus tools added and removed at run time.

Dynamic tools (generated tools from the registry, plugin tools) carry their own JSON Schema;
arguments are validated against it before the handler runs. Adding or removing one tells every
connected client, through the SDK's public API only: clients on the initialize handshake get
``notifications/tools/list_changed`` on their session (and ``tools.listChanged`` in the
initialize result, set by one middleware), clients on the 2026-07-28 protocol get it on their
``subscriptions/listen`` streams.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

import anyio
import jsonschema
from mcp.server.subscriptions import InMemorySubscriptionBus, ToolsListChanged
from mcp.types import CallToolResult, InputRequiredResult, TextContent, ToolAnnotations
from mcp.types import Tool as MCPTool
from mcp.types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from mcp_sre.errors import McpSreError
from mcp_sre.observability import DISABLED, Observability
from mcp_sre.server import schemas
from mcp_sre.server.sdk import Context, MCPServer, ToolError, UnexpectedToolError

__all__ = ["DynamicTool", "SreMCP", "client_session", "connection_key", "in_thread",
           "progress_reporter", "tool_errors"]

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


def connection_key(session: Any) -> str:
    """A key stable for one client connection: the SDK hands each request its own session
    object, but the connection's initialize parameters are one object for its lifetime."""
    params = getattr(session, "client_params", None)
    return f"{id(params) if params is not None else id(session):x}"


def progress_reporter(ctx: Context | None) -> Callable[[int, int, str], None] | None:
    """A callback a worker thread can call to send MCP progress notifications."""
    if ctx is None:
        return None
    try:
        request = ctx.request_context
    except ValueError:
        return None
    # a handshake-era caller asks for progress with a token; a 2026-07-28 one needs none
    # (report_progress is a no-op for a caller that did not ask)
    if request.protocol_version not in MODERN_PROTOCOL_VERSIONS \
            and not (request.meta or {}).get("progress_token"):
        return None

    def report(done: int, total: int, message: str) -> None:
        try:
            anyio.from_thread.run(ctx.report_progress, done, total, message)
        except Exception as exc:  # the client went away; the work itself goes on
            log.debug("progress not delivered: %s", exc)

    return report


_context: contextvars.ContextVar[Context | None] = contextvars.ContextVar("mcp_sre_context",
                                                                        default=None)
MAX_SESSIONS = 1024  # handshake-era connections remembered for list_changed (newest kept)


class SreMCP(MCPServer):
    """MCPServer with run-time tools, list_changed notifications and every tool call observed.

    Built on public API only: ``list_tools``/``call_tool``/``add_tool`` overridden, one
    middleware, and a subscription bus of our own for 2026-07-28 listen streams."""

    def __init__(self, *args: Any, observability: Observability | None = None,
                 middleware: list[Any] | None = None, **kwargs: Any) -> None:
        self.observability = observability or DISABLED
        # called for a tool name neither built in nor listed (registered tools outside the
        # tool budget): async (name, arguments) -> result
        self.unlisted_tool: Callable[[str, dict[str, Any]], Awaitable[Any]] | None = None
        self._dynamic: dict[str, DynamicTool] = {}
        self._builtin: dict[str, None] = {}  # names of the tools added with add_tool
        self._sessions: OrderedDict[str, Any] = OrderedDict()
        self._bus = InMemorySubscriptionBus()
        super().__init__(*args, subscriptions=self._bus,
                         middleware=[self._connections, *(middleware or [])], **kwargs)

    # ------------------------------------------------------------------ connections
    async def _connections(self, ctx: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        """Middleware: advertise ``tools.listChanged`` to handshake-era clients (MCPServer
        derives it for 2026-07-28 clients only) and remember their sessions to notify."""
        if ctx.method == "initialize":
            result = await call_next(ctx)
            if isinstance(result, dict):
                capabilities = result.setdefault("capabilities", {})
                if isinstance(capabilities.get("tools"), dict):
                    capabilities["tools"]["listChanged"] = True
            return result
        if ctx.protocol_version not in MODERN_PROTOCOL_VERSIONS:
            self._remember_session(ctx.session)
        return await call_next(ctx)

    def _remember_session(self, session: Any) -> None:
        key = connection_key(session)
        self._sessions[key] = session  # the newest request's session of that connection
        self._sessions.move_to_end(key)
        while len(self._sessions) > MAX_SESSIONS:
            self._sessions.popitem(last=False)

    async def notify_tools_changed(self) -> None:
        """Tell every connected client that ``tools/list`` changed."""
        for key, session in list(self._sessions.items()):
            try:
                await session.send_tool_list_changed()
            except Exception as exc:  # a closed session must not break the others
                log.debug("list_changed not delivered: %s", exc)
                self._sessions.pop(key, None)
        await self._bus.publish(ToolsListChanged())

    # ------------------------------------------------------------------ built-in tools
    def add_tool(self, fn: Callable[..., Any], name: str | None = None,
                 description: str | None = None, **kwargs: Any) -> None:
        """Add a built-in tool (docstrings become clean descriptions)."""
        tool_name = name or fn.__name__
        if tool_name in self._dynamic:
            raise McpSreError(f"tool name {tool_name!r} is taken by a run-time tool")
        super().add_tool(fn, name=tool_name,
                         description=inspect.cleandoc(description or fn.__doc__ or ""), **kwargs)
        self._builtin[tool_name] = None

    def remove_tool(self, name: str) -> None:
        super().remove_tool(name)
        self._builtin.pop(name, None)

    def has_builtin_tool(self, name: str) -> bool:
        return name in self._builtin

    def builtin_tool_names(self) -> list[str]:
        return list(self._builtin)

    # ------------------------------------------------------------------ tools/list, tools/call
    async def list_tools(self) -> list[MCPTool]:
        tools = await super().list_tools()
        for dyn in self._dynamic.values():
            if dyn.name in self._builtin:
                continue
            tools.append(MCPTool(
                name=dyn.name, description=dyn.description, input_schema=dyn.input_schema,
                output_schema=dyn.output_schema,
                annotations=ToolAnnotations(read_only_hint=dyn.read_only), _meta=dyn.meta,
            ))
        return tools

    async def call_tool(self, name: str, arguments: dict[str, Any],
                        context: Context | None = None) -> CallToolResult | InputRequiredResult:
        """Every tool call, observed (request id, metrics, one log event, a span)."""
        token = _context.set(context)
        try:
            return await self.observability.tool_call(
                name, functools.partial(self._call_tool, name, arguments or {}, context))
        finally:
            _context.reset(token)

    def get_context(self) -> Context:
        """The current tool call's context (1.x ``FastMCP.get_context``); outside a call, one
        whose ``request_context`` raises ``ValueError``."""
        return _context.get() or Context(mcp_server=self)

    async def _call_tool(self, name: str, arguments: dict[str, Any], context: Context | None
                         ) -> CallToolResult | InputRequiredResult:
        dyn = self._dynamic.get(name)
        builtin = name in self._builtin
        if dyn is None and not builtin and self.unlisted_tool is not None:
            try:
                result = await self.unlisted_tool(name, arguments)
            except McpSreError as exc:
                raise ToolError(f"{type(exc).__name__}: {exc}") from exc
            return _object_result(result)
        if dyn is None or builtin:
            try:
                return await super().call_tool(name, arguments, context)
            except UnexpectedToolError as exc:  # the SDK hides the message of other errors
                cause = exc.__cause__
                if isinstance(cause, McpSreError):
                    raise ToolError(f"{type(cause).__name__}: {cause}") from cause
                raise
            except ToolError as exc:  # the SDK's argument check: say what to fix, once
                if isinstance(exc.__cause__, PydanticValidationError):
                    raise ToolError(argument_errors(name, exc.__cause__)) from None
                raise
        try:
            schemas.validate(arguments, dyn.input_schema)
        except jsonschema.ValidationError as exc:
            where = "/".join(str(p) for p in exc.absolute_path) or "arguments"
            raise ToolError(f"invalid arguments for {name}: {where}: {exc.message}") from exc
        try:
            result = await dyn.handler(arguments, context)
        except McpSreError as exc:
            raise ToolError(f"{type(exc).__name__}: {exc}") from exc
        return _object_result(result)

    # ------------------------------------------------------------------ run-time tools
    def dynamic_tools(self) -> list[str]:
        return sorted(self._dynamic)

    def put_dynamic_tool(self, tool: DynamicTool, *, replace: bool = True) -> None:
        """Add (or replace) a run-time tool without notifying anyone (use at start-up)."""
        if tool.name in self._builtin:
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


def _json(value: Any, **kwargs: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, **kwargs)


def _object_result(value: Any) -> CallToolResult:
    """An object result is structured content (with or without a declared schema)."""
    if isinstance(value, dict):
        return CallToolResult(content=[TextContent(type="text", text=_json(value, indent=2))],
                              structured_content=value)
    return CallToolResult(content=[TextContent(type="text", text=_json(value))])
