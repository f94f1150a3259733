"""Detect, parse and classify through the plugin hooks; every failure is a typed error that
names the source."""

from __future__ import annotations

import json

import pytest

from mcp_sre.errors import SpecParseError, UnknownFormatError
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.specs.model import SpecSource
from mcp_sre.specs.parse import detect_format, format_parser, parse_content

DOC = json.dumps({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {
    "/things": {"get": {"operationId": "listThings", "responses": {"200": {"description": "OK"}}},
                "post": {"operationId": "makeThing", "responses": {"200": {"description": "OK"}}}},
}}).encode()


@pytest.fixture(scope="module")
def pm():
    return make_plugin_manager(only={"openapi", "swagger"})


def src(**kw) -> SpecSource:
    return SpecSource(**{"name": "acme", "provider": "acme", "url": "x.json", **kw})


def test_detects_and_parses_with_access(pm) -> None:
    assert detect_format(pm, DOC, src()) == "openapi"
    specs = {s.name: s for s in parse_content(pm, DOC, src())}
    assert specs["listThings"].access == "read" and specs["makeThing"].access == "write"
    assert all(s.source.format == "openapi" and s.source.name == "acme" for s in specs.values())


def test_typed_errors(pm) -> None:
    with pytest.raises(UnknownFormatError, match="starts with 'hello"):
        parse_content(pm, b"hello world", src())
    with pytest.raises(UnknownFormatError, match="no plugin parses format 'graphql'"):
        parse_content(pm, DOC, src(format="graphql"))
    empty = json.dumps({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                        "paths": {}}).encode()
    with pytest.raises(SpecParseError, match="acme"):
        parse_content(pm, empty, src())


def test_format_parser_answers_only_for_its_format() -> None:
    calls: list[bytes] = []
    hook = format_parser("mine", lambda content, source, info: calls.append(content) or [])
    assert hook(fmt="other", content=b"a", source=src(), info=None) is None
    assert hook(fmt="mine", content=b"b", source=src(), info=None) == [] and calls == [b"b"]
