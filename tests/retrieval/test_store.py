"""The index directory: manifest, per-source documents and the keyword index; unreadable or
outdated files read as absent (rebuild), never as an error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.retrieval.bm25 import FieldedBM25
from mcp_sre.retrieval.documents import OperationDoc, build_document
from mcp_sre.retrieval.store import INDEX_FORMAT, IndexStore, Manifest, SourceEntry
from mcp_sre.specs.model import SpecSource
from mcp_sre.specs.parse import parse_content

DOC = json.dumps({"openapi": "3.0.3", "info": {"title": "shop", "version": "1"}, "paths": {
    "/orders": {"get": {"operationId": "listOrders", "tags": ["orders"], "summary": "List orders",
                        "responses": {"200": {"description": "OK"}}}},
    "/stock": {"get": {"operationId": "getStock", "tags": ["stock"], "summary": "Read stock",
                       "responses": {"200": {"description": "OK"}}}},
}}).encode()


@pytest.fixture(scope="module")
def docs() -> list[OperationDoc]:
    source = SpecSource(name="shop/main", provider="shop", url="x.json")
    specs = parse_content(make_plugin_manager(only={"openapi"}), DOC, source)
    return [build_document(s) for s in specs]


def test_manifest_round_trip_and_unreadable(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    assert store.manifest() is None
    store.write_manifest(Manifest(sources={"shop": SourceEntry(digest="abc", count=2)},
                                  order=["shop"]))
    manifest = store.manifest()
    assert manifest is not None and manifest.current() and manifest.sources["shop"].count == 2
    assert not Manifest(index_format=INDEX_FORMAT - 1).current()
    (tmp_path / "manifest.json").write_text("{broken")
    assert store.manifest() is None


def test_documents_per_source(tmp_path: Path, docs: list[OperationDoc]) -> None:
    store = IndexStore(tmp_path)
    store.save_docs("shop/main", docs)  # a name that is not a file name is made safe
    assert [p.name for p in (tmp_path / "docs").iterdir()] == ["shop_main.json"]
    loaded = store.load_docs("shop/main")
    assert loaded is not None and [d.to_json() for d in loaded] == [d.to_json() for d in docs]
    (tmp_path / "docs" / "shop_main.json").write_text("[{\"truncated\"")
    assert store.load_docs("shop/main") is None
    store.remove_docs("shop/main")
    store.remove_docs("shop/main")  # twice is fine
    assert store.load_docs("shop/main") is None


def test_keyword_index_and_reset(tmp_path: Path, docs: list[OperationDoc]) -> None:
    store = IndexStore(tmp_path)
    assert store.load_bm25() is None
    store.save_bm25(FieldedBM25.build(docs))
    assert store.load_bm25() is not None
    store.write_manifest(Manifest())
    store.save_docs("shop", docs)
    store.vectors_path("model/x").write_bytes(b"kept")
    store.reset()
    assert store.manifest() is None and store.load_bm25() is None
    assert store.load_docs("shop") is None
    assert store.vectors_path("model/x").read_bytes() == b"kept"  # keyed by content: kept
