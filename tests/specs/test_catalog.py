"""Cache behaviour of the spec catalog against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from mcp_sre.config import Settings
from mcp_sre.errors import NotFoundError, SpecFetchError
from mcp_sre.specs.catalog import SpecCatalog
from mcp_sre.specs.model import SpecSource


def openapi_doc(*operation_ids: str) -> bytes:
    paths = {f"/things/{op}": {"get": {"operationId": op, "summary": f"Get {op}",
                                       "responses": {"200": {"description": "OK"}}}}
             for op in operation_ids}
    return json.dumps({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                       "paths": paths}).encode()


class SpecServer:
    """Serves one spec with an ETag and counts requests; can go down or serve junk."""

    def __init__(self) -> None:
        self.body = openapi_doc("listThings")
        self.mode = "ok"
        self.delay = 0.0
        self.requests: list[dict[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(dict(self.headers))
                time.sleep(server.delay)
                if server.mode == "500":
                    self.send_response(500)
                    self.end_headers()
                    return
                etag = f'"{hash(server.body) & 0xFFFFFFFF:x}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/spec.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[SpecServer]:
    srv = SpecServer()
    yield srv
    srv.stop()


def make_catalog(settings: Settings, server: SpecServer, **source: Any) -> SpecCatalog:
    settings.sources = [{"name": "things", "provider": "things", "url": server.url, **source}]
    return SpecCatalog(settings)


def test_fresh_copy_makes_no_request(settings: Settings, server: SpecServer) -> None:
    catalog = make_catalog(settings, server)
    assert [s.name for s in catalog.operations("things")] == ["listThings"]
    assert len(server.requests) == 1
    again = SpecCatalog(settings)  # a new process would read the same disk cache
    assert again.get("things/things/listThings").name == "listThings"
    assert len(server.requests) == 1


def test_expired_copy_is_revalidated_with_304(settings: Settings, server: SpecServer) -> None:
    catalog = make_catalog(settings, server)
    first = catalog.document("things")
    time.sleep(0.01)
    second = catalog.document("things", max_age_hours=0)
    assert len(server.requests) == 2
    assert server.requests[1].get("If-None-Match") == first.meta.etag
    assert second.content == first.content and not second.stale
    assert second.meta.fetched_at > first.meta.fetched_at


def test_changed_content_replaces_the_copy(settings: Settings, server: SpecServer) -> None:
    catalog = make_catalog(settings, server)
    catalog.operations("things")
    server.body = openapi_doc("listThings", "getThing")
    ops = catalog.operations("things", max_age_hours=0)
    assert sorted(s.name for s in ops) == ["getThing", "listThings"]
    assert catalog.get("things/things/getThing").source.sha256 == catalog.digest("things")


def test_server_down_serves_stale_copy(settings: Settings, server: SpecServer) -> None:
    catalog = make_catalog(settings, server)
    catalog.operations("things")
    server.mode = "500"
    doc = catalog.document("things", max_age_hours=0)
    assert doc.stale and "HTTP 500" in (doc.meta.last_error or "")
    assert [s.name for s in catalog.operations("things")] == ["listThings"]
    (row,) = catalog.status(["things"])
    assert row.stale and row.error and row.operations == 1


def test_unreachable_server_serves_stale_copy(settings: Settings, server: SpecServer) -> None:
    catalog = make_catalog(settings, server)
    catalog.operations("things")
    server.stop()
    doc = catalog.document("things", max_age_hours=0)
    assert doc.stale and "cannot reach" in (doc.meta.last_error or "")


def test_bad_new_content_keeps_old_copy(settings: Settings, server: SpecServer) -> None:
    catalog = make_catalog(settings, server)
    good = catalog.document("things")
    server.body = b'{"openapi": "3.0.0", "paths": {'
    doc = catalog.document("things", max_age_hours=0)
    assert doc.stale and doc.content == good.content
    assert "things" in (doc.meta.last_error or "")
    server.body = json.dumps({"openapi": "3.0.0", "info": {}, "paths": {}}).encode()
    doc = catalog.document("things", max_age_hours=0)
    assert doc.content == good.content and "no operations" in (doc.meta.last_error or "")


def test_concurrent_fetches_are_coalesced(settings: Settings, server: SpecServer) -> None:
    server.delay = 0.3
    catalog = make_catalog(settings, server)
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(len(catalog.operations("things"))))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [1] * 8
    assert len(server.requests) == 1


def test_oversized_spec_is_refused(settings: Settings, server: SpecServer) -> None:
    settings.max_spec_bytes = 1000
    server.body = openapi_doc(*[f"op{i}" for i in range(200)])
    catalog = make_catalog(settings, server)
    with pytest.raises(SpecFetchError, match="limit"):
        catalog.operations("things")


def test_unreachable_without_copy_or_snapshot(settings: Settings) -> None:
    settings.sources = [{"name": "gone", "provider": "gone", "url": "http://127.0.0.1:9/x.json"}]
    with pytest.raises(SpecFetchError, match="gone"):
        SpecCatalog(settings).operations("gone")


def test_offline_uses_snapshot(settings: Settings, tmp_path: Path, server: SpecServer) -> None:
    (tmp_path / "snap").mkdir()
    (tmp_path / "snap" / "things.json").write_bytes(openapi_doc("fromSnapshot"))
    settings.snapshot_dir = tmp_path / "snap"
    catalog = make_catalog(settings, server, snapshot="things.json")
    ops = catalog.operations("things", offline=True)
    assert [s.name for s in ops] == ["fromSnapshot"] and not server.requests
    assert catalog.status(["things"])[0].origin == "snapshot"


def test_network_failure_falls_back_to_snapshot(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "snap").mkdir()
    (tmp_path / "snap" / "x.json").write_bytes(openapi_doc("fromSnapshot"))
    settings.snapshot_dir = tmp_path / "snap"
    settings.sources = [{"name": "x", "provider": "x", "url": "http://127.0.0.1:9/x.json",
                         "snapshot": "x.json"}]
    catalog = SpecCatalog(settings)
    assert [s.name for s in catalog.operations("x")] == ["fromSnapshot"]
    (row,) = catalog.status(["x"])
    assert row.stale and row.origin == "snapshot" and "cannot reach" in (row.error or "")


def test_corrupt_content_file_is_refetched(settings: Settings, server: SpecServer) -> None:
    catalog = make_catalog(settings, server)
    doc = catalog.document("things")
    folder = settings.cache_dir / "specs" / "things"
    (folder / f"content-{doc.meta.sha256}").write_bytes(b"half-writ")
    fresh = SpecCatalog(settings)
    assert [s.name for s in fresh.operations("things")] == ["listThings"]
    assert len(server.requests) == 2


def test_unknown_id_and_provider(settings: Settings, server: SpecServer) -> None:
    catalog = make_catalog(settings, server)
    with pytest.raises(NotFoundError, match="listThing"):
        catalog.get("things/things/listThing")
    with pytest.raises(NotFoundError, match="unknown provider"):
        catalog.get("nope/x/y")


def test_add_source_persists_only_when_it_parses(settings: Settings, server: SpecServer,
                                                 tmp_path: Path) -> None:
    catalog = SpecCatalog(settings)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(Exception, match="mine"):
        catalog.add_source(SpecSource(name="mine", provider="mine", url=str(bad)))
    assert not settings.config_file.exists()
    row = catalog.add_source(SpecSource(name="mine", provider="mine", url=server.url))
    assert row.operations == 1
    from mcp_sre.config import load_settings

    reloaded = SpecCatalog(load_settings(home=settings.home))
    assert reloaded.get("mine/mine/listThings").provider == "mine"


def test_get_or_fetch_refreshes_past_max_age(settings: Settings, server: SpecServer) -> None:
    catalog = make_catalog(settings, server)
    spec = catalog.get_or_fetch("things", "things", "listThings")
    assert spec.name == "listThings" and len(server.requests) == 1
    server.body = openapi_doc("listThings", "getThing")
    assert catalog.get_or_fetch("things", "things", "getThing", max_age_hours=0).name == "getThing"
    assert len(server.requests) == 2


def _summaries(body: bytes, summary: str) -> bytes:
    doc = json.loads(body)
    for item in doc["paths"].values():
        item["get"]["summary"] = summary
    return json.dumps(doc).encode()


def test_a_default_source_shadows_the_one_it_replaces(settings: Settings, server: SpecServer,
                                                      tmp_path: Path) -> None:
    """A cluster's own spec (here: the HTTP server) answers for the upstream release (a file)
    it shadows while it is on by default and loads; off, or down, the upstream answers."""
    upstream = tmp_path / "upstream.json"
    upstream.write_bytes(_summaries(openapi_doc("listThings", "listOldThings"), "upstream copy"))
    server.body = _summaries(openapi_doc("listThings"), "cluster copy")
    base = {"provider": "things", "format": "openapi", "service": "things"}
    settings.sources = [{"name": "things", "url": str(upstream), **base},
                        {"name": "things-cluster", "url": server.url, "shadows": ["things"],
                         **base}]
    catalog = SpecCatalog(settings)
    op_id = catalog.operations("things")[0].id  # the upstream is loaded first, on purpose
    old_id = op_id.replace("listThings", "listOldThings")
    assert [s.name for s in catalog.registry.for_provider("things")] == ["things-cluster",
                                                                          "things"]
    assert catalog.get(op_id).summary == "cluster copy"
    assert catalog.get(old_id).summary == "upstream copy"  # only the cluster's ids move

    settings.sources[1]["default"] = False  # shadowing only while the user has it on
    assert SpecCatalog(settings).get(op_id).summary == "upstream copy"

    server.mode = "500"  # on, but the cluster never answered: the upstream still answers
    settings.sources[1]["default"] = True
    settings.home = tmp_path / "other-home"
    assert SpecCatalog(settings).get(op_id).summary == "upstream copy"


def test_a_builtin_source_is_overridden_by_the_fields_given(settings: Settings) -> None:
    """`{name: kubernetes-cluster, default: true}` in config.yaml turns the built-in on
    without restating its URL and format."""
    settings.sources = [{"name": "kubernetes", "default": False}]
    source = SpecCatalog(settings).registry.get("kubernetes")
    assert source.default is False and source.url.startswith("https://")


def test_plugin_owned_snapshot_and_the_gathering_folder_first(settings: Settings,
                                                              tmp_path: Path) -> None:
    """A plugin's own specs/ seeds offline use; a copy gathered in the snapshot folder wins."""
    (tmp_path / "plugin" / "specs").mkdir(parents=True)
    (tmp_path / "plugin" / "specs" / "x.json").write_bytes(openapi_doc("fromPlugin"))
    settings.snapshot_dir = tmp_path / "gathered"
    settings.snapshot_dir.mkdir()
    settings.sources = [{"name": "x", "provider": "x", "url": "http://127.0.0.1:9/x.json",
                         "snapshot": "x.json",
                         "snapshot_home": str(tmp_path / "plugin" / "specs")}]
    assert [s.name for s in SpecCatalog(settings).operations("x", offline=True)] == ["fromPlugin"]
    (settings.snapshot_dir / "x.json").write_bytes(openapi_doc("fromGathered"))
    settings.home = tmp_path / "fresh-home"
    assert [s.name for s in SpecCatalog(settings).operations("x", offline=True)] == [
        "fromGathered"]


def test_add_source_with_an_existing_name_needs_replace(settings: Settings, server: SpecServer,
                                                        tmp_path: Path) -> None:
    """Issue 20 item 12: ``specs add`` with an existing name silently replaced the source's URL
    and reported the old, stale content as success."""
    from mcp_sre.errors import SpecFetchError, ValidationError

    catalog = SpecCatalog(settings)
    catalog.add_source(SpecSource(name="mine", provider="mine", url=server.url))
    missing = str(tmp_path / "gone.json")
    with pytest.raises(ValidationError, match="--replace"):
        catalog.add_source(SpecSource(name="mine", provider="mine", url=missing))
    with pytest.raises(SpecFetchError, match=r"gone\.json"):  # not the old copy as success
        catalog.add_source(SpecSource(name="mine", provider="mine", url=missing), replace=True)
    assert catalog.registry.get("mine").url == server.url  # the old source stays
    row = catalog.add_source(SpecSource(name="mine", provider="mine", url=server.url),
                             replace=True)
    assert row.operations == 1


def test_a_source_whose_url_changed_is_not_served_its_old_copy(
        settings: Settings, server: SpecServer, tmp_path: Path) -> None:
    """A release that points a source at another document (or --replace): the copy of the old
    URL is not served under the source's name, fresh or offline."""
    catalog = make_catalog(settings, server)
    assert [s.name for s in catalog.operations("things")] == ["listThings"]
    server.body = openapi_doc("listThings", "getThing")
    moved = make_catalog(settings, server, url=server.url + "?v=2")
    assert sorted(s.name for s in moved.operations("things")) == ["getThing", "listThings"]
    assert len(server.requests) == 2  # the fresh copy of the old URL was not reused
    (tmp_path / "snap").mkdir()
    (tmp_path / "snap" / "things.json").write_bytes(openapi_doc("fromSnapshot"))
    settings.snapshot_dir = tmp_path / "snap"
    offline = make_catalog(settings, server, url="https://example.invalid/things.json",
                           snapshot="things.json")
    assert [s.name for s in offline.operations("things", offline=True)] == ["fromSnapshot"]
