from __future__ import annotations

from pathlib import Path

import numpy as np

from mcp_sre.retrieval.bm25 import FieldedBM25
from mcp_sre.retrieval.documents import OperationDoc
from mcp_sre.retrieval.fusion import rrf, top_k


def _doc(name: str, words: list[str], text: str) -> OperationDoc:
    return OperationDoc(id=f"p/s/{name}", provider="p", service="s", name=name, method="GET",
                        endpoint="/", summary=text, access="read", name_words=words,
                        service_words=["s"], text=text, params=[])


DOCS = [
    _doc("ListPods", ["list", "pods"], "List the pods of a namespace."),
    _doc("DeletePod", ["delete", "pod"], "Delete one pod."),
    _doc("ListNodes", ["list", "nodes"], "List nodes and their pods."),
]


def test_field_weights_and_term_weights() -> None:
    bm = FieldedBM25.build(DOCS)
    name_only = bm.scores({"pod": 1.0}, {"name": 1.0})
    assert name_only[2] == 0 and name_only[0] > 0 and name_only[1] > 0
    both = bm.scores({"pod": 1.0}, {"name": 1.0, "text": 1.0})
    assert both[2] > 0  # "pods" in its text
    half = bm.scores({"pod": 0.5}, {"name": 1.0})
    np.testing.assert_allclose(half, name_only * 0.5, rtol=1e-6)
    assert not bm.scores({"unknown": 1.0}, {"name": 1.0}).any()


def test_save_load_round_trip(tmp_path: Path) -> None:
    bm = FieldedBM25.build(DOCS)
    bm.save(tmp_path)
    again = FieldedBM25.load(tmp_path)
    terms = {"list": 1.0, "pod": 0.7}
    weights = {"name": 1.0, "text": 0.3}
    np.testing.assert_array_equal(bm.scores(terms, weights), again.scores(terms, weights))


def test_rrf_prefers_agreement() -> None:
    fused = rrf([[1, 2, 3], [3, 1, 4]], k=60)
    assert next(iter(fused)) == 1  # ranks 1 and 2 beat ranks 3 and 1
    assert fused[1] == 1 / 61 + 1 / 62
    weighted = rrf([[1], [2]], weights=[1.0, 2.0])
    assert list(weighted) == [2, 1]


def test_top_k_with_mask() -> None:
    scores = np.array([0.1, 0.9, 0.5, 0.7])
    assert list(top_k(scores, 2)) == [1, 3]
    mask = np.array([True, False, True, False])
    assert list(top_k(scores, 3, mask)) == [2, 0]
    assert list(top_k(scores, 0)) == []
