"""Hook implementations of the ``swagger`` format (Swagger / OpenAPI 2.0, JSON or YAML).

Operation building is shared with the ``openapi`` plugin (same distribution); only the
dialect differs: ``in: body`` parameters, ``#/definitions`` and ``#/parameters`` tables,
``schema`` directly on responses.
"""

from __future__ import annotations

from mcp_sre import hookimpl
from mcp_sre.errors import SpecParseError
from mcp_sre.specs.jsonref import load_document
from mcp_sre.specs.model import APISpec, SourceInfo, SpecSource
from mcp_sre_openapi.build import build_operations
from mcp_sre_openapi.detect import looks_like

__all__ = ["detect_spec_format", "parse_spec"]

FORMAT = "swagger"


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
    version = str(doc.get("swagger", "")) if isinstance(doc, dict) else ""
    if not version.startswith("2."):
        openapi = isinstance(doc, dict) and str(doc.get("openapi", "")).startswith("3.")
        raise SpecParseError(
            name,
            f"not a Swagger 2.0 document (swagger: {version or 'missing'})",
            hint="this is OpenAPI 3: use format 'openapi'" if openapi else None,
        )
    return build_operations(doc, source, info, "swagger")
