"""The html format plugin: a hand-written API reference page served by a real HTTP server on
127.0.0.1, fetched by the core fetcher and parsed through the real plugin manager."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mcp_sre import hookimpl
from mcp_sre.errors import SpecParseError
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.specs.fetch import fetch_source
from mcp_sre.specs.model import APISpec, SourceInfo, SpecSource
from mcp_sre.specs.parse import detect_format, parse_content
from mcp_sre_html.extract import ExtractedOperation, match_signature
from mcp_sre_html.page import HtmlPage
from mcp_sre_html.plugin import looks_like_html, parse_html

SPECS = Path(__file__).parent.parent / "fixtures" / "specs"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def docs_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(SPECS)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def pm():
    return make_plugin_manager()


def fetch_and_parse(pm, url: str, name: str = "acme-widgets") -> list[APISpec]:
    source = SpecSource(name=name, provider="acme", url=url)
    fetched = fetch_source(source, pm=pm)
    return parse_content(pm, fetched.content, source)


@pytest.fixture(scope="module")
def widgets(pm, docs_server: str) -> dict[str, APISpec]:
    specs = fetch_and_parse(pm, f"{docs_server}/acme_widgets_reference.html")
    return {s.name: s for s in specs}


def test_operations_found_and_non_operations_skipped(widgets) -> None:
    # Authentication (header table) and Errors (status table) are sections, not operations
    assert list(widgets) == ["listWidgets", "getWidget", "createAWidget", "deleteWidget"]
    assert [(s.method, s.endpoint, s.access) for s in widgets.values()] == [
        ("GET", "/v1/projects/{project_id}/widgets", "read"),
        ("GET", "/v1/projects/{project_id}/widgets/{widget_id}", "read"),  # from :widget_id
        ("POST", "/v1/projects/{project_id}/widgets", "write"),
        ("DELETE", "/v1/projects/{project_id}/widgets/{widget_id}", "write"),
    ]
    assert widgets["listWidgets"].id == "acme/acme-widgets/listWidgets"
    assert widgets["listWidgets"].source.format == "html"


def test_list_operation_details(widgets, docs_server: str) -> None:
    op = widgets["listWidgets"]
    assert op.summary == "Returns the widgets of a project, newest first."
    assert "include_archived is set" in op.description
    assert [(p.name, p.location, p.type, p.required) for p in op.parameters] == [
        ("project_id", "path", "string", True),
        ("page_size", "query", "integer", False),
        ("page_token", "query", "string", False),
        ("include_archived", "query", "boolean", False),
    ]
    assert op.parameter("page_size").description.startswith("At most this many widgets (1–100")
    assert op.return_schema["properties"]["next_page_token"]["type"] == "string"
    assert op.return_schema["properties"]["widgets"]["type"] == "array"
    request, response = op.examples
    assert request["language"] == "bash" and request["code"].startswith("curl -H")
    assert response["kind"] == "response" and '"gear & pinion"' in response["code"]  # &amp;
    assert op.documentation_url == f"{docs_server}/acme_widgets_reference.html#list-widgets"


def test_get_create_delete_details(widgets) -> None:
    get = widgets["getWidget"]  # heading signature: named after the heading's anchor
    assert get.parameter("X-Request-Id").location == "header"
    assert not get.parameter("X-Request-Id").required
    create = widgets["createAWidget"]
    assert create.raw["server"] == "https://api.acme.example"
    assert create.description == "Creates a widget. The name must be unique within the project."
    assert create.request_body["required"] == ["name"]  # "string, required" in the type cell
    assert create.parameter("name").type == "string"
    assert create.parameter("size").type == "integer"  # "Integer" normalised
    assert create.parameter("project_id").location == "path"  # from the path, not a table
    assert create.examples[0]["code"] == '{"name": "sprocket", "size": 2}'
    delete = widgets["deleteWidget"]
    assert {p.name for p in delete.parameters} == {"project_id", "widget_id"}
    assert all(p.required and p.location == "path" for p in delete.parameters)


def test_page_without_operations_is_a_parse_error(pm, docs_server: str) -> None:
    with pytest.raises(SpecParseError) as err:
        fetch_and_parse(pm, f"{docs_server}/acme_changelog.html", name="acme-changelog")
    assert "no API operations found" in str(err.value)
    assert "Changelog - Acme Cloud" in str(err.value)


def test_detection(pm) -> None:
    source = SpecSource(name="x", provider="acme", url="x")
    page = (SPECS / "acme_widgets_reference.html").read_bytes()
    assert detect_format(pm, page, source) == "html"
    assert looks_like_html(b"\xef\xbb\xbf<!-- generated -->\n<HTML><body></body></HTML>")
    assert not looks_like_html(b'{"openapi": "3.0.0"}')
    assert not looks_like_html(b'<?xml version="1.0"?><definitions/>')


def test_malformed_markup_still_parses(pm) -> None:
    html = b"<html><body><h2>PATCH /things/&lt;id&gt;<p>Updates a thing.<table><tr><th>name<th>type"
    html += b"<tr><td>colour<td>string</table><h2>Other"
    [op] = parse_content(pm, html, SpecSource(name="t", provider="acme", url="t.html"))
    assert (op.method, op.endpoint, op.access) == ("PATCH", "/things/{id}", "write")
    assert op.description == "Updates a thing."
    assert op.parameter("colour").location == "body"


def test_empty_document(pm) -> None:
    source = SpecSource(name="t", provider="acme", url="t.html", format="html")
    with pytest.raises(SpecParseError, match="empty HTML document"):
        parse_content(pm, b"  \n", source)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /v1/things", ("GET", "/v1/things", "")),
        ("delete /v1/things/:id", None),  # methods are upper case in signatures
        ("DELETE /v1/things/:id", ("DELETE", "/v1/things/{id}", "")),
        ("GET /users/<user_id>?verbose=1", ("GET", "/users/{user_id}", "")),
        (
            "POST https://api.acme.example/v2/runs HTTP/1.1",
            ("POST", "/v2/runs", "https://api.acme.example"),
        ),
        ("Get started with the API", None),
        ("GET", None),
    ],
)
def test_match_signature(text: str, expected) -> None:
    assert match_signature(text) == expected


class _OneOperationExtractor:
    """Stands in for an LLM-assisted extractor: the seam takes any Extractor."""

    def extract(self, page: HtmlPage, source: SpecSource) -> list[ExtractedOperation]:
        return [ExtractedOperation(title=page.title, method="GET", path="/v1/status")]


class _LlmHtmlPlugin:
    @hookimpl(tryfirst=True)
    def parse_spec(self, fmt, content, source, info):
        if fmt != "html":
            return None
        return parse_html(content, source, info, extractor=_OneOperationExtractor())


def test_extractor_seam_through_the_plugin_manager() -> None:
    pm = make_plugin_manager(extra=[_LlmHtmlPlugin()])
    content = (SPECS / "acme_changelog.html").read_bytes()  # nothing for the heuristics
    [op] = parse_content(pm, content, SpecSource(name="c", provider="acme", url="c.html"))
    assert (op.name, op.endpoint, op.access) == ("changelogAcmeCloud", "/v1/status", "read")
    info = SourceInfo(url="c.html", format="html")
    direct = parse_html(
        content,
        SpecSource(name="c", provider="acme", url="c.html"),
        info,
        extractor=_OneOperationExtractor(),
    )
    assert direct[0].id == "acme/c/changelogAcmeCloud"
