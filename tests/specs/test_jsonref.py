"""The shared $ref resolver: pointers, laziness, memo, cycle cuts, bounds, external refs."""

from __future__ import annotations

import json

import pytest

from mcp_sre.errors import SpecParseError
from mcp_sre.specs.jsonref import (
    CYCLE_KEY,
    EXTERNAL_KEY,
    TRUNCATED_KEY,
    RefResolver,
    load_document,
    parse_pointer,
    ref_name,
)

DOC = {
    "definitions": {
        "a/b": {"type": "string", "title": "Slash"},
        "m~n": {"type": "integer"},
        "A": {"type": "object", "title": "A", "properties": {"b": {"$ref": "#/definitions/B"}}},
        "B": {"type": "object", "properties": {"a": {"$ref": "#/definitions/A"}, "n": {"type": "integer"}}},
        "Tree": {
            "type": "object",
            "properties": {"children": {"type": "array", "items": {"$ref": "#/definitions/Tree"}}},
        },
        "Broken": {"properties": {"x": {"$ref": "#/definitions/Nowhere"}}},
        "Alias": {"$ref": "#/definitions/m~0n"},
    },
    "parameters": {"ns": {"name": "namespace", "in": "path", "type": "string"}},
    "components": {"schemas": {"Pet": {"type": "object", "properties": {"id": {"type": "integer"}}}}},
    "list": [{"v": 1}, {"v": 2}],
}


def chain_doc(n: int) -> dict:
    """L0 -> L1 -> ... -> L{n-1}, each one level deeper."""
    defs = {
        f"L{i}": {"type": "object", "title": f"Level {i}",
                  "properties": {"next": {"$ref": f"#/definitions/L{i + 1}"}}}
        for i in range(n - 1)
    }  # fmt: skip
    defs[f"L{n - 1}"] = {"type": "string", "title": "Leaf"}
    return {"definitions": defs}


def test_pointer_escapes_and_percent_encoding() -> None:
    assert parse_pointer("/definitions/a~1b") == ["definitions", "a/b"]
    assert parse_pointer("/definitions/m~0n") == ["definitions", "m~n"]
    assert parse_pointer("/paths/~1v1~1pets%7Bid%7D") == ["paths", "/v1/pets{id}"]
    assert parse_pointer("") == []
    with pytest.raises(ValueError):
        parse_pointer("definitions/x")
    assert ref_name("#/definitions/io.k8s.api.core.v1.Pod") == "io.k8s.api.core.v1.Pod"
    assert ref_name("#/definitions/a~1b") == "a/b"


def test_lookup_local_tables() -> None:
    r = RefResolver(DOC, source="unit")
    assert r.lookup("#/definitions/a~1b")["title"] == "Slash"
    assert r.lookup("#/definitions/m~0n") == {"type": "integer"}
    assert r.lookup("#/parameters/ns")["name"] == "namespace"
    assert r.lookup("#/components/schemas/Pet")["type"] == "object"
    assert r.lookup("#/list/1") == {"v": 2}
    assert r.resolve({"$ref": "#/definitions/Alias"}) == {"type": "integer"}


def test_cycle_is_cut_at_the_point_of_recursion() -> None:
    r = RefResolver(DOC, source="unit")
    a = r.resolve({"$ref": "#/definitions/A"})
    b = a["properties"]["b"]
    assert b["properties"]["n"] == {"type": "integer"}
    cut = b["properties"]["a"]
    assert cut == {"$ref": "#/definitions/A", CYCLE_KEY: True, "title": "A", "type": "object"}
    tree = r.resolve({"$ref": "#/definitions/Tree"})
    items = tree["properties"]["children"]["items"]
    assert items["$ref"] == "#/definitions/Tree"
    assert items[CYCLE_KEY] is True
    json.dumps(a)  # finite, JSON-safe


def test_depth_bound_leaves_titled_stub() -> None:
    r = RefResolver(chain_doc(8), source="unit", max_depth=3)
    out = r.resolve({"$ref": "#/definitions/L0"})
    l1 = out["properties"]["next"]
    l2 = l1["properties"]["next"]
    stub = l2["properties"]["next"]
    assert l1["title"] == "Level 1"
    assert l2["title"] == "Level 2"
    assert stub == {"$ref": "#/definitions/L3", TRUNCATED_KEY: True, "title": "Level 3",
                    "type": "object"}  # fmt: skip
    deeper = r.resolve({"$ref": "#/definitions/L0"}, max_depth=20)
    node = deeper
    for _ in range(7):
        node = node["properties"]["next"]
    assert node == {"type": "string", "title": "Leaf"}


def test_size_budget_lowers_depth_evenly() -> None:
    fat = {
        f"F{i}": {"type": "object", "description": "x" * 2000,
                  "properties": {"more": {"$ref": f"#/definitions/F{i + 1}"}}}
        for i in range(6)
    }  # fmt: skip
    fat["F6"] = {"type": "string"}
    doc = {"definitions": fat}
    r = RefResolver(doc, source="unit", max_depth=6, max_chars=5000)
    out = r.resolve({"$ref": "#/definitions/F0"})
    assert len(json.dumps(out)) <= 5000
    assert out["properties"]["more"]["properties"]["more"][TRUNCATED_KEY] is True
    unbounded = r.resolve({"$ref": "#/definitions/F0"}, max_chars=10**9)
    assert len(json.dumps(unbounded)) > 12000


def test_lazy_and_memoised() -> None:
    r = RefResolver(DOC, source="unit")
    first = r.resolve({"properties": {"p": {"$ref": "#/components/schemas/Pet"}}})
    second = r.resolve({"$ref": "#/components/schemas/Pet"})
    assert first["properties"]["p"] is second  # memo shares the expansion
    # Broken holds a dangling ref but is never touched, so nothing fails.
    assert r.resolve({"$ref": "#/definitions/m~0n"}) == {"type": "integer"}


def test_dangling_ref_names_the_ref_and_source() -> None:
    r = RefResolver(DOC, source="unit-src")
    with pytest.raises(SpecParseError) as err:
        r.resolve({"$ref": "#/definitions/Broken"})
    assert "#/definitions/Nowhere" in str(err.value)
    assert "unit-src" in str(err.value)
    assert "dangling" in str(err.value)
    with pytest.raises(SpecParseError, match="malformed"):
        r.lookup("#definitions/x")


def test_sibling_keys_refine_the_target() -> None:
    r = RefResolver(DOC, source="unit")
    out = r.resolve({"$ref": "#/definitions/m~0n", "description": "count"})
    assert out == {"type": "integer", "description": "count"}
    assert r.resolve({"$ref": "#/definitions/m~0n"}) == {"type": "integer"}  # memo untouched


def test_deref_follows_wrappers_and_detects_loops() -> None:
    r = RefResolver(DOC, source="unit")
    node, base = r.deref({"$ref": "#/parameters/ns"})
    assert node["name"] == "namespace"
    assert base == ""
    assert r.deref({"name": "x"})[0] == {"name": "x"}
    loop = RefResolver({"a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}}, source="unit")
    with pytest.raises(SpecParseError, match="loop"):
        loop.deref({"$ref": "#/a"})
    # Expanding a pure ref loop is cut too, never infinite.
    out = loop.resolve({"$ref": "#/a"})
    assert out[CYCLE_KEY] is True


def test_external_refs_error_stub_or_loader() -> None:
    doc = {"definitions": {"X": {"properties": {"c": {"$ref": "common.json#/definitions/C"}}}}}
    with pytest.raises(SpecParseError, match="not followed") as err:
        RefResolver(doc, source="ext").resolve({"$ref": "#/definitions/X"})
    assert "common.json#/definitions/C" in str(err.value)
    with pytest.raises(SpecParseError, match="not followed"):
        RefResolver(doc, source="ext").lookup("https://example.invalid/x.yaml#/a")

    stubbed = RefResolver(doc, source="ext", external="stub").resolve({"$ref": "#/definitions/X"})
    assert stubbed["properties"]["c"] == {"$ref": "common.json#/definitions/C", EXTERNAL_KEY: True}

    common = {"definitions": {"C": {"properties": {"d": {"$ref": "#/definitions/D"}}},
                              "D": {"type": "boolean"}}}  # fmt: skip
    loaded: list[str] = []

    def loader(uri: str) -> dict:
        loaded.append(uri)
        if uri != "https://specs.example/api/common.json":
            raise FileNotFoundError(uri)
        return common

    r = RefResolver(doc, source="ext", base_uri="https://specs.example/api/main.json", loader=loader)
    out = r.resolve({"$ref": "#/definitions/X"})
    # The local ref inside common.json resolves against common.json, not the main document.
    assert out["properties"]["c"]["properties"]["d"] == {"type": "boolean"}
    r.resolve({"$ref": "#/definitions/X"}, max_depth=3)
    assert loaded == ["https://specs.example/api/common.json"]  # loaded once
    with pytest.raises(SpecParseError, match="cannot load"):
        r.lookup("other.json#/x")


def test_load_document_json_yaml_and_errors() -> None:
    assert load_document(b'\xef\xbb\xbf{"a": [1, 2]}', "s") == {"a": [1, 2]}
    doc = load_document(b"info:\n  version: 2023-08-16\n  n: 3\n", "s")
    assert doc == {"info": {"version": "2023-08-16", "n": 3}}  # timestamps stay strings
    json.dumps(doc)
    with pytest.raises(SpecParseError) as err:
        load_document(b'{\n  "a": 1,\n  "b": \n}', "broken-json")
    assert "broken-json" in str(err.value)
    assert "line 4 column 1" in str(err.value)
    with pytest.raises(SpecParseError) as err:
        load_document(b"a: 1\nb: [1, 2\nc: 3\n", "broken-yaml")
    assert "broken-yaml" in str(err.value)
    assert "malformed YAML at line" in str(err.value)
    with pytest.raises(SpecParseError, match="not UTF-8"):
        load_document(b"\xff\xfe{", "binary")


def test_rewrite_supports_other_ref_syntaxes() -> None:
    """Google discovery documents write ``{"$ref": "Instance"}`` for ``#/schemas/Instance``."""
    doc = {"schemas": {"Instance": {"type": "object", "properties": {
        "disks": {"type": "array", "items": {"$ref": "Disk"}},
        "parent": {"$ref": "Instance"}}},
        "Disk": {"type": "object", "properties": {"sizeGb": {"type": "string"}}}}}  # fmt: skip
    r = RefResolver(doc, source="discovery", rewrite=lambda ref: f"#/schemas/{ref}")
    out = r.resolve({"$ref": "Instance"})
    assert out["properties"]["disks"]["items"]["properties"]["sizeGb"] == {"type": "string"}
    assert out["properties"]["parent"] == {"$ref": "Instance", CYCLE_KEY: True,
                                           "title": "Instance", "type": "object"}  # fmt: skip
    with pytest.raises(SpecParseError, match="'Nope'"):
        r.lookup("Nope")


def test_yaml_alias_bombs_and_loops_are_refused() -> None:
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 9):  # 10**9 leaves from a few hundred bytes
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 10) + "]")
    with pytest.raises(SpecParseError, match="aliases expand"):
        load_document("\n".join(lines).encode(), "bomb")
    with pytest.raises(SpecParseError, match="refers to itself"):
        load_document(b"a: &x\n  b: *x\n", "loop")
    shared = load_document(b"base: &b {type: string}\nother: *b\n", "fine")
    assert shared["other"] == {"type": "string"}
