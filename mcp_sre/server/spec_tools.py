"""MCP tools and resources over the spec catalog."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from mcp_sre.server.app import in_thread, progress_reporter, tool_errors
from mcp_sre.server.sdk import Context, FastMCP
from mcp_sre.specs.catalog import SourceStatus

if TYPE_CHECKING:
    from mcp_sre.server import ServerState

__all__ = ["register_spec_tools"]


def register_spec_tools(mcp: FastMCP, state: ServerState) -> None:
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
