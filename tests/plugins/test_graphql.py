"""The graphql format plugin, through the real plugin manager: GitHub's public schema, a small
hand-written SDL, and the same schema as introspection JSON produced by graphql-core."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from graphql import build_ast_schema, build_schema, introspection_from_schema, parse

from mcp_sre.errors import SpecParseError
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.specs.model import APISpec, SpecSource
from mcp_sre.specs.parse import detect_format, parse_content

GITHUB = Path(__file__).parent.parent / "fixtures" / "specs" / "github_schema.graphql"

SHOP_SDL = '''
"""A custom scalar the plugin knows nothing about."""
scalar DateTime

enum Status { ACTIVE ARCHIVED }

"""Filters nest: a cycle the JSON schema must cut."""
input ThingFilter {
  name: String
  status: Status = ACTIVE
  and: [ThingFilter!]
  createdAfter: DateTime
}

input CreateThingInput { name: String!, tags: [String!] = [], status: Status! }

type Thing { id: ID!, name: String!, status: Status!, owner: Thing }
type PageInfo { hasNextPage: Boolean!, endCursor: String }
type ThingConnection { nodes: [Thing!]!, pageInfo: PageInfo!, totalCount: Int! }

type Query {
  """Look up one thing."""
  thing(id: ID!): Thing
  """List things, a page at a time."""
  things(first: Int = 10, after: String, filter: ThingFilter): ThingConnection!
  oldThings: [Thing!]! @deprecated(reason: "Use things.")
}

type Mutation {
  """Create a thing."""
  createThing(input: CreateThingInput!): Thing!
}

type Subscription { thingChanged(id: ID!): Thing }
'''


@pytest.fixture(scope="module")
def pm():
    return make_plugin_manager()


def _source(name: str, fmt: str | None = None) -> SpecSource:
    return SpecSource(name=name, provider="acme", url=f"{name}.graphql", format=fmt)


def parse_text(pm, text: str, name: str = "shop", fmt: str | None = None) -> dict[str, APISpec]:
    return {s.id: s for s in parse_content(pm, text.encode(), _source(name, fmt))}


@pytest.fixture(scope="module")
def github(pm) -> dict[str, APISpec]:
    source = SpecSource(name="github", provider="github", url=str(GITHUB))
    return {s.id: s for s in parse_content(pm, GITHUB.read_bytes(), source)}


def _sdl_block_fields(text: str, type_name: str) -> set[str]:
    """Independent count: field names at the top indentation of ``type X ... { }``, skipping
    block-string descriptions."""
    start = re.search(rf"^type {type_name}\b[^{{]*\{{\n", text, re.MULTILINE)
    assert start is not None
    names: set[str] = set()
    in_doc = False
    for line in text[start.end() :].splitlines():
        if line.startswith("}"):
            break
        if line.strip().startswith('"""'):
            if line.strip().count('"""') == 1:
                in_doc = not in_doc
            continue
        m = re.match(r"^  (\w+)\s*[(:]", line)
        if m and not in_doc:
            names.add(m.group(1))
    return names


# --------------------------------------------------------------------------------------------
# GitHub's schema
# --------------------------------------------------------------------------------------------


def test_github_counts_match_graphql_core_and_the_text(github) -> None:
    text = GITHUB.read_text()
    core = build_ast_schema(parse(text), assume_valid_sdl=True)
    queries = {s.name.split(".", 1)[1] for s in github.values() if s.method == "QUERY"}
    mutations = {s.name.split(".", 1)[1] for s in github.values() if s.method == "MUTATION"}
    assert queries == set(core.query_type.fields) == _sdl_block_fields(text, "Query")
    assert mutations == set(core.mutation_type.fields) == _sdl_block_fields(text, "Mutation")
    assert len(github) == len(queries) + len(mutations)
    assert all(s.access == "read" for s in github.values() if s.method == "QUERY")
    assert all(s.access == "write" for s in github.values() if s.method == "MUTATION")


def test_github_schema_needs_the_duplicate_tolerance() -> None:
    with pytest.raises(TypeError, match="can only be defined once"):
        build_schema(GITHUB.read_text())  # graphql-core's strict build refuses GitHub's SDL


def test_github_repository_and_mutation(github) -> None:
    repo = github["github/github/Query.repository"]
    assert repo.return_type == "Repository"
    assert repo.parameter("owner").type == "String!" and repo.parameter("owner").required
    assert not repo.parameter("followRenames").required
    assert "nameWithOwner" in repo.return_schema["properties"]
    assert repo.examples[0]["query"].startswith("query Repository($")
    create = github["github/github/Mutation.createIssue"]
    schema = create.parameter("input").json_schema
    assert schema["x-graphql-type"] == "CreateIssueInput"
    assert {"repositoryId", "title"} <= set(schema["required"])
    search = github["github/github/Query.search"]
    assert search.pagination["input_token"] == "after"
    assert search.parameter("type").json_schema["enum"]  # SearchType values


# --------------------------------------------------------------------------------------------
# A small schema: every feature, checked exactly
# --------------------------------------------------------------------------------------------


def test_small_schema_operations(pm) -> None:
    ops = parse_text(pm, SHOP_SDL)
    assert set(ops) == {
        "acme/shop/Query.thing",
        "acme/shop/Query.things",
        "acme/shop/Query.oldThings",
        "acme/shop/Mutation.createThing",
        "acme/shop/Subscription.thingChanged",
    }
    assert [
        ops[f"acme/shop/{n}"].access
        for n in ("Query.thing", "Mutation.createThing", "Subscription.thingChanged")
    ] == ["read", "write", "read"]
    assert ops["acme/shop/Subscription.thingChanged"].method == "SUBSCRIPTION"
    old = ops["acme/shop/Query.oldThings"]
    assert old.deprecated and "Use things." in old.description
    assert old.return_type == "[Thing!]!"
    assert old.return_schema["type"] == "array"


def test_small_schema_arguments(pm) -> None:
    ops = parse_text(pm, SHOP_SDL)
    things = ops["acme/shop/Query.things"]
    first = things.parameter("first")
    assert (first.type, first.required, first.json_schema["default"]) == ("Int", False, 10)
    flt = things.parameter("filter").json_schema
    assert flt["properties"]["and"]["items"]["x-recursive"] is True  # cycle cut
    assert flt["properties"]["status"] == {
        "type": "string",
        "enum": ["ACTIVE", "ARCHIVED"],
        "x-graphql-type": "Status",
        "default": "ACTIVE",
    }
    assert flt["properties"]["createdAfter"]["x-graphql-type"] == "DateTime"
    assert things.pagination == {
        "style": "relay",
        "input_token": "after",
        "output_token": "pageInfo.endCursor",
        "more_results": "pageInfo.hasNextPage",
        "limit_key": "first",
        "result_key": "nodes",
    }
    assert "nodes { id name status }" in things.examples[0]["query"]
    create = ops["acme/shop/Mutation.createThing"].parameter("input")
    assert create.required and create.type == "CreateThingInput!"
    assert create.json_schema["required"] == ["name", "status"]  # tags has a default


def test_introspection_json_matches_sdl(pm) -> None:
    from_sdl = parse_text(pm, SHOP_SDL)
    result = introspection_from_schema(build_schema(SHOP_SDL))
    for doc in ({"data": result}, result):
        text = json.dumps(doc)
        assert detect_format(pm, text.encode(), _source("shop")) == "graphql"
        from_json = parse_text(pm, text)
        assert set(from_json) == set(from_sdl)
        for op_id, op in from_sdl.items():
            assert [(p.name, p.type, p.required) for p in from_json[op_id].parameters] == [
                (p.name, p.type, p.required) for p in op.parameters
            ]
            assert from_json[op_id].return_type == op.return_type


def test_detection(pm) -> None:
    assert detect_format(pm, GITHUB.read_bytes()[:5000], _source("x")) == "graphql"
    assert detect_format(pm, b"schema { query: Root }\ntype Root { a: Int }", _source("x")) == (
        "graphql"
    )
    from mcp_sre_graphql.plugin import looks_like_graphql

    assert not looks_like_graphql(b"<html><pre>type Query { a: Int }</pre></html>")
    assert not looks_like_graphql(b'{"openapi": "3.0.0", "paths": {}}')


# --------------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------------


def test_syntax_error_names_line_and_column(pm) -> None:
    with pytest.raises(SpecParseError) as err:
        parse_text(pm, "type Query {\n  thing(id: ID!: Thing\n}\n")
    assert "GraphQL syntax error" in str(err.value)
    assert "line 2" in str(err.value)


def test_unknown_type_is_invalid_sdl(pm) -> None:
    with pytest.raises(SpecParseError, match="invalid GraphQL SDL: Unknown type 'Nope'"):
        parse_text(pm, "type Query { thing: Nope }")


def test_empty_and_rootless_documents(pm) -> None:
    with pytest.raises(SpecParseError, match="empty GraphQL document"):
        parse_text(pm, "   \n", fmt="graphql")
    with pytest.raises(SpecParseError, match="no Query, Mutation or Subscription"):
        parse_text(pm, "type Thing { id: ID }", fmt="graphql")
    with pytest.raises(SpecParseError, match='no "__schema"'):
        parse_text(pm, '{"data": {"viewer": {}}}', fmt="graphql")
    with pytest.raises(SpecParseError, match="not JSON"):
        parse_text(pm, '{"__schema": ', fmt="graphql")
