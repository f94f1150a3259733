"""Hook implementations of the ``openapi`` format (OpenAPI 3.0 and 3.1, JSON or YAML)."""

from __future__ import annotations

from mcp_sre import hookimpl
from mcp_sre.errors import SpecParseError
from mcp_sre.specs.jsonref import load_document
from mcp_sre.specs.model import APISpec, SourceInfo, SpecSource
from mcp_sre_openapi.build import build_operations
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
    if fmt != FORMAT:
        return None
    name = source.name or info.url
    doc = load_document(content, name)
    version = str(doc.get("openapi", "")) if isinstance(doc, dict) else ""
    if not version.startswith("3."):
        swagger = isinstance(doc, dict) and str(doc.get("swagger", "")).startswith("2.")
        raise SpecParseError(
            name,
            f"not an OpenAPI 3 document (openapi: {version or 'missing'})",
            hint="this is Swagger 2.0: use format 'swagger'" if swagger else None,
        )
    return build_operations(doc, source, info, "openapi")
