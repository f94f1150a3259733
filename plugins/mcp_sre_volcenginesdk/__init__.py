"""Built-in mcp-sre plugin: the Volcano Engine SDK format and the ``volcenginesdk:`` scheme.

The generated classes of the installed ``volcenginesdk-*`` packages are the spec, read the way
the botocore plugin reads botocore's models."""

from __future__ import annotations

import json
import re

from mcp_sre import hookimpl
from mcp_sre.errors import SpecParseError
from mcp_sre.specs.fetch import FetchedContent
from mcp_sre.specs.model import APISpec, SourceInfo, SpecSource
from mcp_sre_volcenginesdk.installed import MANIFEST_KIND, SCHEME, fetch_installed, parse_manifest

__all__ = ["FORMAT", "detect_spec_format", "fetch_spec_content", "parse_spec"]

FORMAT = "volcenginesdk"
_MANIFEST = re.compile(rb'"kind"\s*:\s*"' + MANIFEST_KIND.encode() + rb'"')


@hookimpl
def detect_spec_format(content: bytes, source: SpecSource) -> str | None:
    return FORMAT if _MANIFEST.search(content[:2048]) else None


@hookimpl
def parse_spec(
    fmt: str, content: bytes, source: SpecSource, info: SourceInfo
) -> list[APISpec] | None:
    if fmt != FORMAT:
        return None
    try:
        data = json.loads(content)
    except ValueError as exc:
        raise SpecParseError(source.name, f"volcenginesdk manifest is not JSON: {exc}",
                             hint="re-sync the source") from exc
    if not isinstance(data, dict) or data.get("kind") != MANIFEST_KIND:
        raise SpecParseError(source.name, "not a volcenginesdk manifest",
                             hint="use a volcenginesdk:<service> url, e.g. volcenginesdk:ecs")
    return parse_manifest(data, source, info)


@hookimpl
def fetch_spec_content(source: SpecSource, etag: str | None) -> FetchedContent | None:
    if not source.url.startswith(SCHEME):
        return None
    return fetch_installed(source, etag)
