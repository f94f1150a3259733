"""The ``html`` spec format: scrape API reference pages that have no machine-readable spec.

Pipeline: bytes -> :func:`mcp_sre_html.page.parse_page` (stdlib ``html.parser``) -> an
:class:`~mcp_sre_html.extract.Extractor` (the heuristic one by default; the seam for an
LLM-assisted one, see :mod:`mcp_sre_html.extract`) -> :func:`to_specs`, shared by every
extractor. Access follows the HTTP method: GET/HEAD/OPTIONS read, everything else write.
"""

from __future__ import annotations

import re
from typing import Any

from mcp_sre import hookimpl
from mcp_sre.errors import SpecParseError
from mcp_sre.specs.model import APISpec, Parameter, SourceInfo, SpecSource
from mcp_sre.specs.parse import format_parser
from mcp_sre_html.extract import (
    ExtractedOperation,
    ExtractedParameter,
    Extractor,
    HeuristicExtractor,
    json_type,
    match_signature,
)
from mcp_sre_html.page import parse_page

__all__ = [
    "DEFAULT_EXTRACTOR",
    "detect_spec_format",
    "looks_like_html",
    "parse_html",
    "parse_spec",
    "to_specs",
]

FORMAT = "html"
DEFAULT_EXTRACTOR: Extractor = HeuristicExtractor()
_READ_METHODS = {"GET", "HEAD", "OPTIONS"}
_LOCATIONS = {
    "path": "path",
    "query": "query",
    "querystring": "query",
    "header": "header",
    "headers": "header",
    "cookie": "cookie",
    "body": "body",
    "json": "body",
    "form": "formData",
    "formdata": "formData",
}
_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)
_PATH_VAR = re.compile(r"\{(\w+)\}")


def looks_like_html(content: bytes) -> bool:
    """A document that starts as HTML (doctype, <html>, possibly after a comment or prolog)."""
    head = content[:4096].decode("utf-8", "replace").lstrip("\ufeff \t\r\n").lower()
    return head.startswith("<") and ("<!doctype html" in head or "<html" in head)


@hookimpl
def detect_spec_format(content: bytes, source: SpecSource) -> str | None:
    return FORMAT if looks_like_html(content) else None


def parse_html(
    content: bytes, source: SpecSource, info: SourceInfo, extractor: Extractor | None = None
) -> list[APISpec]:
    """Parse a reference page with ``extractor`` (default: :data:`DEFAULT_EXTRACTOR`).

    Another plugin can provide LLM-assisted extraction by calling this with its own
    :class:`~mcp_sre_html.extract.Extractor` from a ``tryfirst`` ``parse_spec`` hookimpl.
    """
    if not content.strip():
        raise SpecParseError(source.name, "empty HTML document")
    page = parse_page(_decode(content))
    ops = (extractor or DEFAULT_EXTRACTOR).extract(page, source)
    if not ops:
        raise SpecParseError(
            source.name,
            f"no API operations found in the HTML page {page.title or source.url!r}: no heading "
            "like 'GET /v1/things', nor a heading followed by such a signature",
            hint="point the source at the API reference page itself, or use an LLM-assisted "
            "extractor (mcp_sre_html.extract.Extractor)",
        )
    return to_specs(ops, source, info)


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        m = _CHARSET.search(content[:4096])
        try:
            return content.decode(m.group(1).decode() if m else "cp1252", "replace")
        except LookupError:
            return content.decode("latin-1")


# --------------------------------------------------------------------------------------------
# ExtractedOperation -> APISpec, the same for every extractor
# --------------------------------------------------------------------------------------------


def to_specs(ops: list[ExtractedOperation], source: SpecSource, info: SourceInfo) -> list[APISpec]:
    service = source.service or source.name
    seen: dict[str, int] = {}
    specs: list[APISpec] = []
    for op in ops:
        name = _operation_name(op)
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name}_{seen[name]}"
        params = _parameters(op)
        body = [p for p in params if p.location == "body"]
        specs.append(
            APISpec(
                id=APISpec.make_id(source.provider, service, name),
                name=name,
                provider=source.provider,
                service=service,
                method=op.method,
                endpoint=op.path,
                summary=_first_sentence(op.description),
                description=op.description,
                parameters=params,
                request_body=_object_schema(body) if body else None,
                return_schema=_object_schema(_to_parameters(op.response_fields, op))
                if op.response_fields
                else None,
                examples=op.examples,
                documentation_url=_doc_url(source.url, op.anchor),
                access="read" if op.method in _READ_METHODS else "write",
                source=info,
                raw=op.model_dump(),
            )
        )
    return specs


def _operation_name(op: ExtractedOperation) -> str:
    """camelCase of a descriptive heading (``List widgets`` -> ``listWidgets``), else of the
    anchor, else of method and path (``GET /v1/widgets/{id}`` -> ``getV1WidgetsId``)."""
    for text in (
        op.title if not match_signature(op.title) else "",
        op.anchor,
        f"{op.method} {op.path}",
    ):
        words = re.findall(r"[A-Za-z0-9]+", text)
        if words:
            first, rest = words[0].lower(), [w[:1].upper() + w[1:].lower() for w in words[1:]]
            return first + "".join(rest)
    return op.method.lower()


def _to_parameters(extracted: list[ExtractedParameter], op: ExtractedOperation) -> list[Parameter]:
    default_location = "query" if op.method in _READ_METHODS | {"DELETE"} else "body"
    path_vars = set(_PATH_VAR.findall(op.path))
    params: list[Parameter] = []
    for p in extracted:
        location = _LOCATIONS.get(p.location.lower().replace(" ", ""), "")
        if p.name in path_vars:
            location = "path"
        schema: dict[str, Any] = {"type": json_type(p.type)}
        if p.type:
            schema["x-doc-type"] = p.type
        if p.description:
            schema["description"] = p.description
        params.append(
            Parameter(
                name=p.name,
                location=location or default_location,
                type=json_type(p.type),
                required=p.required or location == "path",
                description=p.description,
                json_schema=schema,
            )
        )
    return params


def _parameters(op: ExtractedOperation) -> list[Parameter]:
    params = _to_parameters(op.parameters, op)
    known = {p.name for p in params}
    for var in _PATH_VAR.findall(op.path):  # placeholders the page did not document in a table
        if var not in known:
            params.append(
                Parameter(name=var, location="path", required=True, json_schema={"type": "string"})
            )
    return params


def _object_schema(params: list[Parameter]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {p.name: p.json_schema for p in params},
    }
    required = [p.name for p in params if p.required]
    if required:
        schema["required"] = required
    return schema


def _doc_url(url: str, anchor: str) -> str:
    return f"{url.split('#', 1)[0]}#{anchor}" if anchor else url


def _first_sentence(text: str) -> str:
    first = text.strip().split("\n\n", 1)[0]
    m = re.match(r"(.+?[.!?])(\s|$)", first, re.DOTALL)
    return (m.group(1) if m else first).replace("\n", " ")[:300]


parse_spec = format_parser(FORMAT, parse_html)
