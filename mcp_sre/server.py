"""The MCP server: tools, resources and prompts over stdio, SSE and streamable HTTP.

Long work (spec sync, index builds, sandbox runs) runs in worker threads so the event loop keeps
answering; typed mcp-sre errors become MCP tool errors whose text says what to do.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, ParamSpec, TypeVar

import anyio
from mcp.server.fastmcp import Context, FastMCP
from mcp.server.fastmcp.exceptions import ToolError
from pydantic import Field

from mcp_sre import __version__
from mcp_sre.config import Settings, load_settings
from mcp_sre.errors import McpSreError
from mcp_sre.specs.catalog import SourceStatus, SpecCatalog

__all__ = ["ServerState", "build_server"]

log = logging.getLogger("mcp_sre.server")
P = ParamSpec("P")
R = TypeVar("R")

INSTRUCTIONS = """\
mcp-sre answers SRE questions across AWS, Kubernetes, GCP, Azure and any API you add, from the
live API specs. Find operations with search_apis, read one with get_api_spec, run read-only
Python in the sandbox with run_code. Everything runs read-only against clouds by default."""


class ServerState:
    """What the tools share: one catalog (and, lazily, the heavier parts) per server."""

    def __init__(self, settings: Settings | None = None, catalog: SpecCatalog | None = None):
        self.settings = settings or (catalog.settings if catalog else load_settings())
        self.catalog = catalog or SpecCatalog(self.settings)


def tool_errors(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Turn our typed errors into MCP tool errors (isError) with an actionable message."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except McpSreError as exc:
            raise ToolError(f"{type(exc).__name__}: {exc}") from exc

    return wrapper


async def in_thread(fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))


def progress_reporter(ctx: Context | None) -> Callable[[int, int, str], None] | None:
    """A callback a worker thread can call to send MCP progress notifications."""
    if ctx is None or ctx.request_context.meta is None or ctx.request_context.meta.progressToken is None:
        return None

    def report(done: int, total: int, message: str) -> None:
        try:
            anyio.from_thread.run(ctx.report_progress, done, total, message)
        except Exception as exc:  # the client went away; the work itself goes on
            log.debug("progress not delivered: %s", exc)

    return report


def _register_spec_tools(mcp: FastMCP, state: ServerState) -> None:
    catalog = state.catalog

    @mcp.tool(annotations={"readOnlyHint": True})
    @tool_errors
    async def get_api_spec(
        id: Annotated[str, Field(description="Operation id provider/service/operation, e.g. "
                                 "aws/ec2/DescribeInstances or "
                                 "kubernetes/core_v1/listCoreV1NamespacedPod")],
        include_raw: Annotated[bool, Field(description="Also return the operation exactly as "
                                           "the spec wrote it")] = False,
    ) -> dict[str, Any]:
        """The full, current definition of one API operation: parameters with JSON schemas,
        request body, return type, pagination, read/write access and where the spec came from."""
        spec = await in_thread(catalog.get, id.strip())
        return spec.model_dump(mode="json", exclude=None if include_raw else {"raw"})

    @mcp.tool(annotations={"readOnlyHint": True})
    @tool_errors
    async def list_spec_sources() -> list[SourceStatus]:
        """Every spec source the server knows: provider, format, operation count, when it was
        fetched, whether it is stale and why."""
        return await in_thread(catalog.status)

    @mcp.tool(annotations={"readOnlyHint": False, "idempotentHint": True})
    @tool_errors
    async def refresh_specs(
        name: Annotated[str | None, Field(description="Source name from list_spec_sources; "
                                          "omit for all default sources")] = None,
        max_age_hours: Annotated[float, Field(ge=0, description="Refresh copies older than "
                                              "this; 0 forces a conditional re-fetch")] = 0,
        ctx: Context | None = None,
    ) -> list[SourceStatus]:
        """Re-fetch spec sources from their live locations (a 304 reuses the cached copy; a
        failure keeps the old copy and marks it stale)."""
        names = [name] if name else None
        return await in_thread(catalog.sync, names, max_age_hours=max_age_hours,
                               progress=progress_reporter(ctx))

    @mcp.resource("spec://{provider}/{service}/{operation}", mime_type="application/json")
    async def spec_resource(provider: str, service: str, operation: str) -> str:
        """One API operation's definition as JSON."""
        spec = await in_thread(catalog.get, f"{provider}/{service}/{operation}")
        return json.dumps(spec.model_dump(mode="json", exclude={"raw"}), indent=2)


def build_server(state: ServerState | None = None, **fastmcp_options: Any) -> FastMCP:
    """A configured server; ``fastmcp_options`` go to FastMCP (host, port, ...)."""
    state = state or ServerState()
    mcp = FastMCP("mcp-sre", instructions=INSTRUCTIONS, **fastmcp_options)
    mcp._mcp_server.version = __version__
    _register_spec_tools(mcp, state)
    return mcp
