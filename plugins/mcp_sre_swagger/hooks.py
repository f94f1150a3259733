"""Hook implementations of the ``swagger`` format (Swagger / OpenAPI 2.0, JSON or YAML).

Operation building is shared with the ``openapi`` plugin (same distribution); only the
dialect differs: ``in: body`` parameters, ``#/definitions`` and ``#/parameters`` tables,
``schema`` directly on responses.
"""

from __future__ import annotations

import functools

from mcp_sre import hookimpl
from mcp_sre.specs.model import SpecSource
from mcp_sre.specs.parse import format_parser
from mcp_sre_openapi.build import parse_dialect
from mcp_sre_openapi.detect import looks_like

__all__ = ["detect_spec_format", "parse_spec"]

FORMAT = "swagger"


@hookimpl
def detect_spec_format(content: bytes, source: SpecSource) -> str | None:
    return FORMAT if looks_like(content, FORMAT) else None


parse_spec = format_parser(FORMAT, functools.partial(parse_dialect, FORMAT))
