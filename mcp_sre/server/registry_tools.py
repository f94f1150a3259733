"""MCP tools over the tool registry, and the active registered tools exposed as MCP tools.

At start every active tool becomes a dynamic tool; after each registry operation the exposed
set is re-synchronised with the registry on disk (so a tool registered, rolled back, removed
or deprecated -- here or by another process such as the CLI -- appears or disappears), and
connected clients get ``notifications/tools/list_changed``.

The tool budget: clients cap the tools they load and every definition costs the model
context, so ``tools/list`` carries at most ``settings.tool_budget`` registered tools -- the
ones used most recently here, then the best scored. Every active tool stays callable: by
name, or through ``find_tool`` + ``call_tool``; a tool called that way is promoted into the
list (and the list_changed notification says so).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Annotated, Any

import anyio
from pydantic import Field

from mcp_sre.errors import NotFoundError, ValidationError
from mcp_sre.observability import DISABLED, Observability
from mcp_sre.server.app import DynamicTool, SreMCP, in_thread, progress_reporter, tool_errors
from mcp_sre.server.sdk import Context

if TYPE_CHECKING:
    from mcp_sre.registry import RegisteredTool, ToolRegistry
    from mcp_sre.server import ServerState

__all__ = ["RegisteredToolsPublisher", "register_registry_tools"]

log = logging.getLogger("mcp_sre.server")
REGISTRY_TOOLS = ("register_tool", "find_tool", "list_registered_tools", "rollback_tool",
                  "call_tool")


class RegisteredToolsPublisher:
    """Keeps the server's dynamic tools equal to the registry's active tools, and registers
    new ones (:meth:`register`: the one public way in, for ``register_tool`` and
    ``generate_tool`` alike). Lists at most ``budget`` of them (None = all)."""

    def __init__(self, mcp: SreMCP, registry: ToolRegistry, budget: int | None = None,
                 observability: Observability | None = None) -> None:
        self.mcp, self.registry, self.budget = mcp, registry, budget
        self.observability = observability or DISABLED
        self.exposed: dict[str, tuple[int, str]] = {}  # name -> (version, description)
        self.last_used: dict[str, float] = {}  # name -> monotonic time of the last call
        self._lock = anyio.Lock()  # one sync at a time: concurrent calls must not interleave
        self.learner: Any = None  # mcp_sre.learning: requests each tool answered, per feedback

    def _builtin(self, name: str) -> bool:
        return self.mcp.has_builtin_tool(name)

    def reserve_builtin_names(self) -> None:
        """Registered tools may not take the name of a tool the server has (nor of one of the
        registry's own tools, even before they are added)."""
        self.registry.reserved.update(self.mcp.builtin_tool_names())
        self.registry.reserved.update(REGISTRY_TOOLS)

    async def register(self, name: str, description: str, code: str, test: str,
                       parameters: dict[str, Any], *, returns: dict[str, Any] | None = None,
                       request: str | None = None, created_by: str = "register_tool",
                       ctx: Context | None = None) -> dict[str, Any]:
        """Check, test and store a tool, expose it at once, and say what was registered;
        raises :class:`~mcp_sre.registry.RegistrationRefused` with every reason otherwise."""
        self.reserve_builtin_names()
        tool = await in_thread(self.registry.register, name, description, code, test,
                               parameters, returns=returns, request=request,
                               created_by=created_by, progress=progress_reporter(ctx))
        self.observability.tool_registered(tool.name, tool.operations)
        await self.sync()
        warnings = [str(f) for f in (tool.checks.findings if tool.checks else [])]
        return {"name": tool.name, "version": tool.version, "status": "active",
                "providers": tool.providers, "operations": tool.operations,
                "test": {"passed": True, "tests": tool.test_result.tests if tool.test_result
                         else [], "duration_ms": tool.test_result.duration_ms
                         if tool.test_result else 0},
                "warnings": warnings,
                "next": f"call the MCP tool {tool.name!r} with arguments matching its schema"}

    def dynamic(self, tool: RegisteredTool) -> DynamicTool:
        registry, name = self.registry, tool.name

        async def handler(args: dict[str, Any], ctx: Context | None) -> Any:
            self.last_used[name] = time.monotonic()
            try:
                return await in_thread(registry.call, name, args)
            finally:  # a failing call may have deprecated the tool: hide it at once
                if not registry.store.exists(name) or \
                        registry.store.head(name).status != "active":
                    await self.sync()

        returns = tool.returns if (tool.returns or {}).get("type") == "object" else None
        ops = ", ".join(tool.operations[:5]) or "no cloud calls"
        answered = self.learner.answered_requests(name) if self.learner is not None else []
        return DynamicTool(
            name=name, input_schema=tool.parameters, output_schema=returns, handler=handler,
            description=f"{tool.description}\n\nRegistered tool v{tool.version} (read-only, "
                        f"runs in the sandbox; calls {ops})."
                        + ("\nAnswered before: " + "; ".join(repr(r) for r in answered)
                           if answered else ""),
            meta={"mcp-sre/registry": {"version": tool.version, "providers": tool.providers,
                                       "operations": tool.operations}})

    def _active(self) -> dict[str, RegisteredTool]:
        active = {}
        for tool in self.registry.active_tools():
            if self._builtin(tool.name):
                log.warning("registered tool %r hidden: a built-in tool has that name", tool.name)
                continue
            active[tool.name] = tool
        return active

    def _wanted(self) -> dict[str, RegisteredTool]:
        """The tools to list: all of them within the budget, else the most recently used
        here, then the best scored."""
        active = self._active()
        if self.budget is None or len(active) <= self.budget:
            return active
        recent = sorted((n for n in self.last_used if n in active),
                        key=lambda n: -self.last_used[n])
        chosen = recent[:self.budget]
        for summary in self.registry.list():  # best score first
            if len(chosen) >= self.budget:
                break
            if summary.name in active and summary.name not in chosen:
                chosen.append(summary.name)
        return {name: active[name] for name in chosen}

    async def call(self, name: str, args: dict[str, Any]) -> Any:
        """Call any active registered tool, listed or not; then list it (promotion)."""
        if self._builtin(name):
            raise ValidationError(f"{name!r} is a built-in tool: call it directly")
        if name not in self.exposed and not await in_thread(self.registry.store.exists, name):
            raise NotFoundError(f"no registered tool named {name!r}",
                                hint="find_tool lists the registered tools that fit a request")
        self.last_used[name] = time.monotonic()
        try:
            return await in_thread(self.registry.call, name, args)
        finally:
            await self.sync()

    def _report_size(self) -> None:
        if self.observability.metrics is not None:
            self.observability.metrics.tools_exposed.set(len(self.exposed))

    def start(self) -> None:
        """Expose the tools before any client connects (no notification needed)."""
        for name, tool in self._wanted().items():
            self.mcp.put_dynamic_tool(self.dynamic(tool))
            self.exposed[name] = (tool.version, tool.description)
        self._report_size()

    async def sync(self) -> None:
        async with self._lock:
            wanted = await in_thread(self._wanted)
            for name in [n for n in self.exposed if n not in wanted]:
                self.exposed.pop(name, None)
                await self.mcp.remove_dynamic_tool(name)
            for name, tool in wanted.items():
                signature = (tool.version, tool.description)
                if self.exposed.get(name) != signature:
                    self.exposed[name] = signature
                    await self.mcp.add_dynamic_tool(self.dynamic(tool))
            self._report_size()


def register_registry_tools(mcp: SreMCP, state: ServerState) -> None:
    registry: ToolRegistry = state.registry
    publisher = RegisteredToolsPublisher(mcp, registry, budget=state.settings.tool_budget,
                                         observability=state.observability)
    mcp.unlisted_tool = publisher.call  # a registered tool outside the budget, called by name
    publisher.reserve_builtin_names()
    state.publisher = publisher
    publisher.learner = state.learner
    try:
        publisher.start()
    except Exception as exc:  # a broken registry folder must not stop the server
        log.error("registered tools not exposed: %s", exc)

    @mcp.tool(annotations={"readOnlyHint": False, "idempotentHint": False})
    @tool_errors
    async def register_tool(
        name: Annotated[str, Field(description="lower_snake_case tool name, 3-64 characters; "
                                   "an existing name gets a new version")],
        description: Annotated[str, Field(description="What the tool returns, in a sentence "
                                          "or two; models pick tools by it")],
        code: Annotated[str, Field(description="Python defining def main(**params) that "
                                   "returns JSON data; use sre.call(op_id, **params) or "
                                   "boto3/kubernetes shims; read-only; no top-level code; do "
                                   "not call sre.result")],
        test: Annotated[str, Field(description="Python run after the code: calls main(...) "
                                   "with example arguments and asserts on the result (top "
                                   "level or def test_*() functions)")],
        parameters: Annotated[dict[str, Any], Field(description="JSON Schema of main's "
                                                    "keyword arguments: {\"type\": \"object\", "
                                                    "\"properties\": {...}, \"required\": "
                                                    "[...]}")],
        returns: Annotated[dict[str, Any] | None, Field(description="Optional JSON Schema "
                                                        "of the return value")] = None,
        request: Annotated[str | None, Field(description="The user's request this tool "
                                             "answers (helps find_tool reuse it)")] = None,
        ctx: Context | None = None,
    ) -> dict[str, Any]:
        """Register working sandbox code as a reusable MCP tool. Runs the static checks, the
        security review (no writes, no secrets, no unbounded pagination) and the test in the
        sandbox first; if anything fails nothing is registered and the error lists every
        reason. On success the tool is callable at once under its name."""
        return await publisher.register(name, description, code, test, parameters,
                                       returns=returns, request=request, ctx=ctx)

    @mcp.tool(annotations={"readOnlyHint": True})
    @tool_errors
    async def find_tool(
        request: Annotated[str, Field(description="What you need, in any words or language")],
        limit: Annotated[int, Field(ge=1, le=20, description="Most matches to return")] = 5,
    ) -> dict[str, Any]:
        """Search the registered tools by meaning before generating new code. Matches are
        ranked by `similarity`; `confidence` estimates (0..1) that reusing a tool answers the
        request. When `reuse` names a tool (the best match, confidence >= `threshold`), call
        that tool instead of writing code; otherwise none fits well enough."""
        matches = await in_thread(registry.find, request, limit=limit)
        await publisher.sync()
        best = next((m.tool.name for m in matches if m.reuse), None)
        learner = state.learner
        ref = await in_thread(learner.record, "tool_call", request, {
            "tool": best or (matches[0].tool.name if matches else None)}, "t") \
            if learner is not None else None
        return {"reuse": best, "threshold": registry.reuse_threshold, "ref": ref,
                "call": "registered tools not in tools/list (listed=false) are called with "
                        "call_tool(name, arguments)",
                "matches": [{"name": m.tool.name, "listed": m.tool.name in publisher.exposed,
                             "similarity": m.similarity,
                             "confidence": m.confidence, "reuse": m.reuse, "description": m.tool.description,
                             "parameters": m.tool.parameters, "score": m.tool.score,
                             "version": m.tool.version} for m in matches]}

    @mcp.tool(annotations={"readOnlyHint": True})
    @tool_errors
    async def list_registered_tools(
        include_deprecated: Annotated[bool, Field(description="Also list deprecated tools "
                                                  "(hidden, restorable)")] = False,
    ) -> list[dict[str, Any]]:
        """Every registered tool, best first (score from success rate, usage and age), with
        its version, usage statistics and parameters."""
        summaries = await in_thread(registry.list, include_deprecated=include_deprecated)
        await publisher.sync()
        return [s.model_dump(mode="json") for s in summaries]

    @mcp.tool(annotations={"readOnlyHint": False, "idempotentHint": False})
    @tool_errors
    async def rollback_tool(
        name: Annotated[str, Field(description="Registered tool name")],
        version: Annotated[int | None, Field(ge=1, description="Version to make active; "
                                             "default: the one before the active one")] = None,
    ) -> dict[str, Any]:
        """Make an earlier version of a registered tool the active one (also re-activates a
        deprecated tool). The MCP tool switches at once."""
        tool = await in_thread(registry.rollback, name, version)
        await publisher.sync()
        return {"name": tool.name, "active_version": tool.version,
                "versions": await in_thread(registry.store.versions, name)}

    @mcp.tool(annotations={"readOnlyHint": True, "openWorldHint": True})
    @tool_errors
    async def call_tool(
        name: Annotated[str, Field(description="Registered tool name (from find_tool or "
                                   "list_registered_tools)")],
        arguments: Annotated[dict[str, Any] | None, Field(description="Arguments matching "
                                                          "the tool's parameters")] = None,
    ) -> Any:
        """Call a registered tool by name, whether or not tools/list shows it (the list holds
        only the most used ones). The tool is then listed for direct calls."""
        return await publisher.call(name, arguments or {})
