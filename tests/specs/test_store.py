"""The spec content store: content addressed by sha256, metadata beside it, parsed operations
per service; corrupt or foreign files are treated as absent (re-fetch, re-parse), never a crash."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.specs.fetch import sha256_of
from mcp_sre.specs.model import APISpec, SpecSource
from mcp_sre.specs.parse import parse_content
from mcp_sre.specs.store import ContentStore, StoredMeta


def openapi(*ops: str, tag: str = "things") -> bytes:
    paths = {f"/{tag}/{op}": {"get": {"operationId": op, "tags": [tag], "summary": op,
                                      "responses": {"200": {"description": "OK"}}}}
             for op in ops}
    return json.dumps({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                       "paths": paths}).encode()


def meta_for(content: bytes) -> StoredMeta:
    return StoredMeta(url="file:///x.json", format="openapi", sha256=sha256_of(content),
                      size=len(content), fetched_at=datetime.now(UTC))


@pytest.fixture(scope="module")
def specs() -> list[APISpec]:
    source = SpecSource(name="acme", provider="acme", url="x.json")
    return parse_content(make_plugin_manager(only={"openapi"}), openapi("listA", "listB"), source)


def test_new_content_replaces_the_old_and_its_parsed_copies(tmp_path: Path,
                                                            specs: list[APISpec]) -> None:
    store = ContentStore(tmp_path)
    old, new = openapi("listA"), openapi("listA", "listB")
    store.save("acme", old, meta_for(old))
    store.save_parsed("acme", sha256_of(old), "fp1", specs[:1])
    store.save("acme", new, meta_for(new))
    meta = store.meta("acme")
    assert meta is not None and meta.sha256 == sha256_of(new)
    assert store.content("acme", meta) == new
    files = sorted(p.name for p in (tmp_path / "acme").iterdir())
    assert files == [f"content-{sha256_of(new)}", "meta.json"]


def test_content_that_no_longer_matches_its_hash_is_absent(tmp_path: Path) -> None:
    store = ContentStore(tmp_path)
    body = openapi("listA")
    store.save("acme", body, meta_for(body))
    (tmp_path / "acme" / f"content-{sha256_of(body)}").write_bytes(b"tampered")
    assert store.content("acme", meta_for(body)) is None
    (tmp_path / "acme" / "meta.json").write_text("{not json")
    assert store.meta("acme") is None and store.meta("never-stored") is None


def test_parsed_operations_by_service(tmp_path: Path, specs: list[APISpec]) -> None:
    store = ContentStore(tmp_path)
    other = [s.model_copy(update={"service": "other", "id": s.id + "2"}) for s in specs]
    store.save_parsed("acme", "abc", "fp", specs + other)
    every = store.load_parsed("acme", "abc", "fp")
    assert every is not None and sorted(s.id for s in every) == sorted(
        s.id for s in specs + other)
    only = store.load_parsed("acme", "abc", "fp", service="other")
    assert only is not None and {s.service for s in only} == {"other"}
    assert store.load_parsed("acme", "abc", "another-fingerprint") is None
    # a newer parser (new fingerprint) replaces the older parsed copy of the same content
    store.save_parsed("acme", "abc", "fp2", specs)
    assert store.load_parsed("acme", "abc", "fp") is None
    pickle_file = next((tmp_path / "acme").glob("parsed-abc-fp2/*.pkl"))
    pickle_file.write_bytes(b"\x80truncated")
    assert store.load_parsed("acme", "abc", "fp2") is None
