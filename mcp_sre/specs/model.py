"""The one operation model every spec format is parsed into."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["APISpec", "Access", "Parameter", "SourceInfo", "SpecSource"]

Access = Literal["read", "write"]


class Parameter(BaseModel):
    """One input of an operation, whatever the format called it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Parameter name as the API expects it")
    location: str = Field(
        description="Where it goes: path, query, header, cookie, body (a body field), "
        "formData, or message (a proto/GraphQL argument)"
    )
    type: str = Field(default="string", description="JSON-schema-like type name")
    required: bool = Field(default=False, description="Whether the call fails without it")
    description: str = Field(default="", description="The spec's own documentation")
    json_schema: dict[str, Any] = Field(
        default_factory=dict, description="JSON schema of the value, $refs resolved, cycles cut"
    )


class SourceInfo(BaseModel):
    """Where a parsed operation came from, so a reader can judge how current it is."""

    name: str = Field(default="", description="Name of the spec source in the source registry")
    url: str = Field(description="Live URL or file path the content came from")
    format: str = Field(description="Spec format name, e.g. openapi, swagger, botocore")
    fetched_at: datetime | None = Field(default=None, description="When the content was fetched")
    etag: str | None = Field(default=None, description="HTTP ETag of the fetched content")
    sha256: str = Field(default="", description="sha256 of the raw content")


class APISpec(BaseModel):
    """One API operation: enough to find it, call it, and judge whether it is safe."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="provider/service/operation, e.g. aws/ec2/DescribeInstances")
    name: str = Field(description="The spec's own operation name (operationId, botocore name...)")
    provider: str = Field(description="Cloud or API family, e.g. aws, kubernetes, gcp, stripe")
    service: str = Field(description="Service or grouping inside the provider (e.g. ec2, core_v1)")
    method: str = Field(default="", description="HTTP method, or RPC/QUERY/MUTATION")
    endpoint: str = Field(default="", description="Path template or RPC name")
    summary: str = Field(default="", description="One-line summary")
    description: str = Field(default="", description="Full documentation text")
    parameters: list[Parameter] = Field(default_factory=list, description="Inputs")
    request_body: dict[str, Any] | None = Field(
        default=None, description="JSON schema of the request body, if any"
    )
    return_type: str = Field(default="", description="Name of the returned type")
    return_schema: dict[str, Any] | None = Field(
        default=None, description="JSON schema of a successful response"
    )
    examples: list[dict[str, Any]] = Field(default_factory=list, description="Examples from spec")
    documentation_url: str = Field(default="", description="Human documentation page")
    access: Access = Field(default="write", description="read or write; unknown counts as write")
    pagination: dict[str, Any] | None = Field(
        default=None, description="How to page through results (tokens, limits), if known"
    )
    deprecated: bool = Field(default=False, description="Marked deprecated by the spec")
    source: SourceInfo = Field(description="Provenance of the spec content")
    raw: dict[str, Any] = Field(
        default_factory=dict, description="The operation as the spec wrote it ($refs unresolved)"
    )

    @staticmethod
    def make_id(provider: str, service: str, operation: str) -> str:
        return f"{provider}/{service}/{operation}"

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


class SpecSource(BaseModel):
    """An entry of the source registry: where a provider's spec lives and how to read it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Unique name, used in CLI commands (e.g. kubernetes, aws)")
    provider: str = Field(description="Provider the operations belong to")
    url: str = Field(description="Live location: https URL, file path, or a plugin scheme")
    format: str | None = Field(default=None, description="Format name; detected when omitted")
    snapshot: str | None = Field(
        default=None,
        description="File name of the copy used when the live source is unreachable: looked "
        "up in the snapshot folder (specs_cache/) first, then in snapshot_home",
    )
    snapshot_home: str | None = Field(
        default=None,
        description="Folder of the plugin that ships the snapshot (its specs/); set by the "
        "plugin's loader",
    )
    service: str | None = Field(
        default=None, description="Service name for formats that do not carry one"
    )
    default: bool = Field(default=True, description="Synced and indexed by default")
    shadows: list[str] = Field(
        default_factory=list,
        description="Sources whose operations this one replaces while it is a default source "
        "and loads (a cluster's own spec over the upstream release it runs)",
    )
    description: str = Field(default="", description="What this source covers")
    options: dict[str, Any] = Field(default_factory=dict, description="Format-specific options")
