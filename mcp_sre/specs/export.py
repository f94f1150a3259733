"""Write the operations of any source as one OpenAPI 3 document (``mcp-sre specs export``).

Whatever format a source was read from, its :class:`APISpec` operations carry a method, an
endpoint template, parameters with JSON schemas, a request body and a response schema: enough
for an OpenAPI document that a generic mock server (Prism) can serve, so that executors, shims
and policies are tested over HTTP against answers shaped like the real API's. Templates with
reserved expansion (``{+name}``, which may span several path segments) are written with the
flat form of the path when the spec's own operation gives one (its ``flatPath``); otherwise as a
plain parameter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from mcp_sre.errors import ValidationError
from mcp_sre.specs.model import APISpec

__all__ = ["EXPORT_FORMATS", "to_openapi"]

EXPORT_FORMATS = ("openapi",)
_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object"})
_PLACEHOLDER = re.compile(r"\{\+?([^}]+)\}")
_HTTP = frozenset({"get", "put", "post", "delete", "patch", "head", "options"})


def _schema(node: Any, depth: int = 0) -> Any:
    """A JSON schema cleaned for OpenAPI 3.0: unknown types dropped, nesting bounded."""
    if not isinstance(node, dict):
        return node
    if depth > 24:
        return {"type": "object"}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "type" and value not in _TYPES:
            continue
        if key in ("properties", "definitions") and isinstance(value, dict):
            out[key] = {k: _schema(v, depth + 1) for k, v in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = _schema(value, depth + 1)
        elif key in ("allOf", "anyOf", "oneOf") and isinstance(value, list):
            out[key] = [_schema(v, depth + 1) for v in value]
        elif key == "required" and not isinstance(value, list):
            continue  # a per-property boolean (discovery style) is not JSON Schema
        elif key == "$ref":
            continue  # resolved already; a leftover stub would dangle
        else:
            out[key] = value
    return out


def _path_of(spec: APISpec) -> tuple[str, str]:
    """(server, path template) of an operation's endpoint."""
    endpoint = spec.endpoint or "/"
    parts = urlsplit(endpoint)
    server = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    path = parts.path if server else endpoint.split("?", 1)[0]
    flat = spec.raw.get("flatPath") if isinstance(spec.raw, dict) else None
    raw_path = spec.raw.get("path") if isinstance(spec.raw, dict) else None
    if "{+" in path and isinstance(flat, str) and isinstance(raw_path, str) and \
            path.endswith(raw_path):
        path = path[: len(path) - len(raw_path)] + flat
    path = "/" + path.lstrip("/")
    return server, path.replace("{+", "{")


def _operation(spec: APISpec, path: str) -> dict[str, Any]:
    params: list[dict[str, Any]] = []
    in_path = _PLACEHOLDER.findall(path)
    for name in in_path:
        known = spec.parameter(name)
        params.append({"name": name, "in": "path", "required": True,
                       "description": known.description if known else "",
                       "schema": {"type": "string"}})
    # the operation's whole body when the format gives it: body parameters may be its fields
    # (Parameter.location "body" is one field), not the body itself
    body: dict[str, Any] | None = _schema(spec.request_body) if spec.request_body else None
    for param in spec.parameters:
        if param.location == "path":
            continue
        if param.location == "body":
            if not spec.request_body:
                body = _schema(param.json_schema or {"type": "object"})
            continue
        where = {"query": "query", "header": "header", "cookie": "cookie"}.get(param.location)
        if where is None:
            continue
        params.append({"name": param.name, "in": where, "required": param.required,
                       "description": param.description,
                       "schema": _schema(param.json_schema) or {"type": param.type}})
    response: dict[str, Any] = {"description": spec.return_type or "success"}
    if spec.return_schema:
        response["content"] = {"application/json": {"schema": _schema(spec.return_schema)}}
    op: dict[str, Any] = {
        "operationId": spec.name,
        "summary": spec.summary,
        "parameters": params,
        "responses": {"200": response, "default": {"description": "error"}},
        "x-mcp-sre-id": spec.id,
        "x-mcp-sre-access": spec.access,
    }
    if body is not None:
        op["requestBody"] = {"required": False,
                             "content": {"application/json": {"schema": body}}}
    if spec.deprecated:
        op["deprecated"] = True
    return op


def to_openapi(specs: Iterable[APISpec], *, title: str, fmt: str = "openapi") -> dict[str, Any]:
    """One OpenAPI 3.0 document of ``specs`` (the first operation wins a path+method)."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(f"cannot export as {fmt!r}",
                              hint=f"formats: {', '.join(EXPORT_FORMATS)}")
    paths: dict[str, dict[str, Any]] = {}
    servers: list[str] = []
    for spec in specs:
        method = (spec.method or "get").lower()
        if method not in _HTTP:
            continue  # RPC, GraphQL and message operations have no HTTP path
        server, path = _path_of(spec)
        if server and server not in servers:
            servers.append(server)
        item = paths.setdefault(path, {})
        if method not in item:
            item[method] = _operation(spec, path)
    if not paths:
        raise ValidationError(f"{title}: no HTTP operations to export")
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": "mcp-sre export",
                 "description": "Exported by mcp-sre from the source's parsed operations."},
        "servers": [{"url": s} for s in servers] or [{"url": "/"}],
        "paths": paths,
    }
