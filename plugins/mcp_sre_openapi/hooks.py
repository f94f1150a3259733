"""Hook implementations of the ``openapi`` format (OpenAPI 3.0 and 3.1, JSON or YAML)."""

from __future__ import annotations

from mcp_sre import hookimpl
from mcp_sre.specs.model import APISpec, SourceInfo, SpecSource
from mcp_sre_openapi.build import parse_dialect
from mcp_sre_openapi.detect import looks_like

__all__ = ["detect_spec_format", "parse_spec"]

FORMAT = "openapi"


@hookimpl
def detect_spec_format(content: bytes, source: SpecSource) -> str | None:
    return FORMAT if looks_like(content, FORMAT) else None


@hookimpl
def parse_spec(
    fmt: str, content: bytes, source: SpecSource, info: SourceInfo
) -> list[APISpec] | None:
    return parse_dialect(fmt, content, source, info) if fmt == FORMAT else None
