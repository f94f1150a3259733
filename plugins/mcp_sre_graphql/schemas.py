"""GraphQL types as JSON schemas and type strings, and example operation documents.

Input types are expanded recursively (cycles cut, depth bounded) because a caller has to build
them; output types are described one level deep (field name -> GraphQL type string), which is
what a caller needs to write a selection set without pulling in half of a large schema.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
    is_non_null_type,
)
from graphql.pyutils import Undefined
from graphql.utilities import value_from_ast_untyped

__all__ = [
    "MAX_INPUT_DEPTH",
    "default_of",
    "example_document",
    "input_schema",
    "is_required",
    "jsonable",
    "output_schema",
    "relay_pagination",
]

MAX_INPUT_DEPTH = 5
_BUILTIN_SCALARS: dict[str, dict[str, Any]] = {
    "Int": {"type": "integer"},
    "Float": {"type": "number"},
    "String": {"type": "string"},
    "ID": {"type": "string"},
    "Boolean": {"type": "boolean"},
}
_EXAMPLE_SCALARS = 8


def default_of(arg_or_field: Any) -> tuple[bool, Any]:
    """``(has_default, JSON value)`` of an argument or input field, on graphql-core 3.2
    (``default_value``) and 3.3 (``default``: a runtime value or a literal)."""
    default = getattr(arg_or_field, "default", None)
    if default is not None and hasattr(default, "literal"):
        if default.value is not Undefined:
            return True, jsonable(default.value)
        if default.literal is not None:
            return True, jsonable(value_from_ast_untyped(default.literal))
    value = getattr(arg_or_field, "default_value", Undefined)
    if value is not Undefined:
        return True, jsonable(value)
    return False, None


def is_required(arg_or_field: Any) -> bool:
    """Non-null without a default: the call fails without it."""
    return is_non_null_type(arg_or_field.type) and not default_of(arg_or_field)[0]


def _described(schema: dict[str, Any], description: str | None) -> dict[str, Any]:
    return {**schema, "description": description} if description else schema


def input_schema(gql_type: Any, _stack: tuple[str, ...] = ()) -> dict[str, Any]:
    """JSON schema of an argument or input field type."""
    if isinstance(gql_type, GraphQLNonNull):
        return input_schema(gql_type.of_type, _stack)
    if isinstance(gql_type, GraphQLList):
        return {"type": "array", "items": input_schema(gql_type.of_type, _stack)}
    if isinstance(gql_type, GraphQLScalarType):
        if gql_type.name in _BUILTIN_SCALARS:
            return dict(_BUILTIN_SCALARS[gql_type.name])
        return _described({"x-graphql-type": gql_type.name}, gql_type.description)
    if isinstance(gql_type, GraphQLEnumType):
        return {"type": "string", "enum": list(gql_type.values), "x-graphql-type": gql_type.name}
    if isinstance(gql_type, GraphQLInputObjectType):
        name = gql_type.name
        if name in _stack:
            return {"type": "object", "x-graphql-type": name, "x-recursive": True}
        if len(_stack) >= MAX_INPUT_DEPTH:
            return {"type": "object", "x-graphql-type": name, "x-truncated": True}
        props: dict[str, Any] = {}
        required: list[str] = []
        for fname, fld in gql_type.fields.items():
            prop = _described(input_schema(fld.type, (*_stack, name)), fld.description)
            has_default, default = default_of(fld)
            if has_default and default is not None:
                prop = {**prop, "default": default}
            if fld.deprecation_reason:
                prop = {**prop, "deprecated": True}
            props[fname] = prop
            if is_required(fld):
                required.append(fname)
        schema: dict[str, Any] = {"type": "object", "x-graphql-type": name, "properties": props}
        if required:
            schema["required"] = required
        return schema
    return {}


def output_schema(gql_type: Any) -> dict[str, Any]:
    """One level of the returned type: its fields and their GraphQL type strings."""
    if isinstance(gql_type, GraphQLNonNull):
        return output_schema(gql_type.of_type)
    if isinstance(gql_type, GraphQLList):
        return {"type": "array", "items": output_schema(gql_type.of_type)}
    if isinstance(gql_type, GraphQLScalarType | GraphQLEnumType):
        return input_schema(gql_type)
    named: GraphQLNamedType = gql_type
    schema: dict[str, Any] = {"type": "object", "x-graphql-type": named.name}
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        schema["properties"] = {n: {"x-graphql-type": str(f.type)} for n, f in named.fields.items()}
    if isinstance(named, GraphQLUnionType):
        schema["x-graphql-possible-types"] = [t.name for t in named.types]
    return _described(schema, named.description)


def jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)


def _simple_fields(named: Any, limit: int) -> list[str]:
    """Leaf fields that need no arguments: what an example selection set can ask for."""
    if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        return []
    out = []
    for fname, fld in named.fields.items():
        needs_args = any(is_required(a) for a in fld.args.values())
        if is_leaf_type(get_named_type(fld.type)) and not needs_args and not fld.deprecation_reason:
            out.append(fname)
        if len(out) >= limit:
            break
    return out


def _selection(named: Any) -> str:
    if is_leaf_type(named):
        return ""
    if isinstance(named, GraphQLUnionType):
        return "{ __typename }"
    parts = _simple_fields(named, _EXAMPLE_SCALARS)
    fields = getattr(named, "fields", {})
    if "nodes" in fields:  # Relay connection: a page of nodes and where the next one starts
        node_fields = _simple_fields(get_named_type(fields["nodes"].type), 5) or ["__typename"]
        parts.append("nodes { " + " ".join(node_fields) + " }")
    if "pageInfo" in fields:
        parts.append("pageInfo { hasNextPage endCursor }")
    return "{ " + " ".join(parts or ["__typename"]) + " }"


def example_document(keyword: str, name: str, fld: GraphQLField) -> dict[str, Any]:
    """A minimal operation calling the field with its required arguments as variables."""
    required = [(a, arg) for a, arg in fld.args.items() if is_required(arg)]
    variables = ", ".join(f"${a}: {arg.type}" for a, arg in required)
    call_args = ", ".join(f"{a}: ${a}" for a, _ in required)
    head = f"{keyword} {name[0].upper()}{name[1:]}" + (f"({variables})" if variables else "")
    call = name + (f"({call_args})" if call_args else "")
    selection = _selection(get_named_type(fld.type))
    body = f"{call} {selection}".strip()
    return {"query": f"{head} {{ {body} }}", "variables": {a: None for a, _ in required}}


def relay_pagination(fld: GraphQLField) -> dict[str, Any] | None:
    """Relay cursor pagination: ``first``/``after`` arguments and a ``pageInfo`` result."""
    named = get_named_type(fld.type)
    fields = getattr(named, "fields", None) or {}
    if "after" not in fld.args or "pageInfo" not in fields:
        return None
    pagination: dict[str, Any] = {
        "style": "relay",
        "input_token": "after",
        "output_token": "pageInfo.endCursor",
        "more_results": "pageInfo.hasNextPage",
    }
    if "first" in fld.args:
        pagination["limit_key"] = "first"
    for key in ("nodes", "edges"):
        if key in fields:
            pagination["result_key"] = key
            break
    return pagination
