"""Hook implementations of the ``openapi`` format (OpenAPI 3.0 and 3.1, JSON or YAML)."""

from __future__ import annotations

import functools

from mcp_sre import hookimpl
from mcp_sre.specs.model import SpecSource
from mcp_sre.specs.parse import format_parser
from mcp_sre_openapi.build import parse_dialect
from mcp_sre_openapi.detect import looks_like

__all__ = ["detect_spec_format", "parse_spec"]

FORMAT = "openapi"


@hookimpl
def detect_spec_format(content: bytes, source: SpecSource) -> str | None:
    return FORMAT if looks_like(content, FORMAT) else None


parse_spec = format_parser(FORMAT, functools.partial(parse_dialect, FORMAT))
