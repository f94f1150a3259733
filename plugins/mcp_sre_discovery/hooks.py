"""Hook implementations of the Google discovery format plugin."""

from __future__ import annotations

import json

from mcp_sre import hookimpl
from mcp_sre.errors import SpecParseError
from mcp_sre.specs.model import APISpec, SourceInfo, SpecSource
from mcp_sre.specs.parse import format_parser
from mcp_sre_discovery.convert import DISCOVERY_KIND, convert_document

__all__ = ["FORMAT", "detect_spec_format", "parse_spec"]

FORMAT = "discovery"
_MARK = f'"{DISCOVERY_KIND}"'.encode()


@hookimpl
def detect_spec_format(content: bytes, source: SpecSource) -> str | None:
    if not content[:512].lstrip().startswith(b"{"):
        return None
    return FORMAT if _MARK in content and (b'"resources"' in content or b'"methods"' in content) \
        else None


def parse_discovery(content: bytes, source: SpecSource, info: SourceInfo) -> list[APISpec]:
    try:
        doc = json.loads(content)
    except ValueError as exc:
        raise SpecParseError(source.name, f"discovery document is not valid JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise SpecParseError(source.name, "discovery document is not a JSON object")
    return convert_document(doc, source, info)


parse_spec = format_parser(FORMAT, parse_discovery)
