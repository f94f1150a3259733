"""The ``graphql`` spec format: SDL text or introspection JSON, parsed with graphql-core.

Every field of the Query, Mutation and Subscription root types is one APISpec: Query and
Subscription fields read, Mutation fields write. Source options: ``endpoint`` (the URL the
operations are POSTed to, kept in ``raw`` for an executor).
"""

from __future__ import annotations

import json
import re
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    build_ast_schema,
    build_client_schema,
    parse,
)
from graphql.validation.validate import validate_sdl

from mcp_sre import hookimpl
from mcp_sre.errors import SpecParseError
from mcp_sre.specs.model import APISpec, Parameter, SourceInfo, SpecSource
from mcp_sre.specs.parse import format_parser
from mcp_sre_graphql.schemas import (
    default_of,
    example_document,
    input_schema,
    is_required,
    output_schema,
    relay_pagination,
)

__all__ = ["build_graphql_schema", "detect_spec_format", "looks_like_graphql", "parse_spec"]

FORMAT = "graphql"
_DETECT_BYTES = 4 << 20
_SDL = re.compile(
    r"^[ \t]*(?:extend[ \t]+)?(?:type[ \t]+(?:Query|Mutation|Subscription)\b|schema\s*(?:@\w+\s*)*\{"
    r"|directive[ \t]+@\w+)",
    re.MULTILINE,
)
# (root type attribute, canonical root name, operation keyword / method, access)
_ROOTS = (
    ("query_type", "Query", "QUERY", "read"),
    ("mutation_type", "Mutation", "MUTATION", "write"),
    ("subscription_type", "Subscription", "SUBSCRIPTION", "read"),
)
# Real-world SDL (GitHub's among them) repeats some field definitions verbatim. graphql-core
# rejects that; a reader of the schema loses nothing by keeping one copy, so it is tolerated.
_TOLERATED_SDL_ERRORS = re.compile(r"can only be defined once\.$")


def looks_like_graphql(content: bytes) -> bool:
    """SDL root types / schema / directive definitions, or introspection JSON."""
    head = content[:_DETECT_BYTES].decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if not head or head[0] in "<[":
        return False
    if head[0] == "{":
        return '"__schema"' in head[:4096]
    return bool(_SDL.search(head))


@hookimpl
def detect_spec_format(content: bytes, source: SpecSource) -> str | None:
    return FORMAT if looks_like_graphql(content) else None


def parse_graphql(content: bytes, source: SpecSource, info: SourceInfo) -> list[APISpec]:
    schema = build_graphql_schema(content, source.name)
    service = source.service or source.name
    specs: list[APISpec] = []
    for attr, root_name, keyword, access in _ROOTS:
        root: GraphQLObjectType | None = getattr(schema, attr)
        if root is None:
            continue
        for name, fld in root.fields.items():
            specs.append(
                _operation(root, root_name, keyword, access, name, fld, service, source, info)
            )
    if not specs:
        raise SpecParseError(
            source.name, "the GraphQL schema has no Query, Mutation or Subscription fields"
        )
    return specs


parse_spec = format_parser(FORMAT, parse_graphql)



def build_graphql_schema(content: bytes, source_name: str) -> GraphQLSchema:
    """SDL or introspection JSON -> schema. Raises :class:`SpecParseError` naming the problem."""
    text = content.decode("utf-8", "replace").lstrip("\ufeff")
    if not text.strip():
        raise SpecParseError(source_name, "empty GraphQL document")
    if text.lstrip().startswith("{"):
        return _from_introspection(text, source_name)
    try:
        document = parse(text)
    except GraphQLSyntaxError as exc:
        raise SpecParseError(source_name, f"GraphQL syntax error: {_error_text(exc)}") from exc
    errors = [e for e in validate_sdl(document) if not _TOLERATED_SDL_ERRORS.search(e.message)]
    if errors:
        shown = "; ".join(_error_text(e) for e in errors[:3])
        more = f" (+{len(errors) - 3} more)" if len(errors) > 3 else ""
        raise SpecParseError(source_name, f"invalid GraphQL SDL: {shown}{more}")
    try:
        return build_ast_schema(document, assume_valid_sdl=True)
    except (GraphQLError, TypeError) as exc:
        raise SpecParseError(source_name, f"invalid GraphQL SDL: {exc}") from exc


def _from_introspection(text: str, source_name: str) -> GraphQLSchema:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecParseError(source_name, f"introspection result is not JSON: {exc}") from exc
    if isinstance(data, dict) and isinstance(data.get("data"), dict):
        data = data["data"]
    if not isinstance(data, dict) or not isinstance(data.get("__schema"), dict):
        raise SpecParseError(
            source_name,
            'no "__schema" object in the introspection result',
            hint='expected {"data": {"__schema": ...}} or {"__schema": ...}',
        )
    try:
        return build_client_schema(data, assume_valid=True)  # type: ignore[arg-type]
    except (GraphQLError, TypeError, KeyError, ValueError) as exc:
        raise SpecParseError(source_name, f"invalid introspection result: {exc}") from exc


def _error_text(exc: GraphQLError) -> str:
    where = ", ".join(f"line {loc.line} column {loc.column}" for loc in exc.locations or [])
    return f"{exc.message} ({where})" if where else exc.message


def _operation(
    root: GraphQLObjectType,
    root_name: str,
    keyword: str,
    access: str,
    name: str,
    fld: GraphQLField,
    service: str,
    source: SpecSource,
    info: SourceInfo,
) -> APISpec:
    description = fld.description or ""
    if fld.deprecation_reason:
        description = (description + "\n\n" if description else "") + (
            f"Deprecated: {fld.deprecation_reason}"
        )
    raw: dict[str, Any] = {
        "root_type": root.name,
        "field": name,
        "type": str(fld.type),
        "args": {a: str(arg.type) for a, arg in fld.args.items()},
    }
    if source.options.get("endpoint"):
        raw["endpoint_url"] = source.options["endpoint"]
    return APISpec(
        id=APISpec.make_id(source.provider, service, f"{root_name}.{name}"),
        name=f"{root_name}.{name}",
        provider=source.provider,
        service=service,
        method=keyword,
        endpoint=f"{root_name}.{name}",
        summary=(fld.description or "").strip().split("\n", 1)[0][:300],
        description=description,
        parameters=[_parameter(a, arg) for a, arg in fld.args.items()],
        return_type=str(fld.type),
        return_schema=output_schema(fld.type),
        examples=[example_document(keyword.lower(), name, fld)],
        access=access,  # type: ignore[arg-type]
        pagination=relay_pagination(fld),
        deprecated=fld.deprecation_reason is not None,
        source=info,
        raw=raw,
    )


def _parameter(name: str, arg: Any) -> Parameter:
    schema = input_schema(arg.type)
    has_default, default = default_of(arg)
    if has_default and default is not None:
        schema = {**schema, "default": default}
    return Parameter(
        name=name,
        location="message",
        type=str(arg.type),
        required=is_required(arg),
        description=arg.description or "",
        json_schema=schema,
    )
