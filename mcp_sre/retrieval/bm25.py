"""Keyword retrieval: one BM25 index per document field (bm25s builds the sparse score
matrices), scored with per-term query weights so expansions count less than the user's words.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import bm25s
import numpy as np

from mcp_sre.retrieval.documents import tokenize, tokens_with_compounds

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mcp_sre.retrieval.documents import OperationDoc

__all__ = ["FIELDS", "FieldedBM25", "field_tokens"]

FIELDS = ("name", "service", "text", "params", "examples")
# Short fields: term frequency saturates fast and length matters little.
_PARAMS = {"name": (1.2, 0.3), "service": (1.2, 0.2), "text": (1.2, 0.75), "params": (1.2, 0.5),
           "examples": (1.2, 0.5)}

logging.getLogger("bm25s").setLevel(logging.WARNING)


def field_tokens(
    doc: OperationDoc, field: str, compounds: Sequence[tuple[tuple[str, ...], str, bool]] = ()
) -> list[str]:
    if field == "name":
        return tokens_with_compounds(" ".join(doc.name_words), compounds)
    if field == "service":
        return tokenize(" ".join(doc.service_words))
    if field == "text":
        return tokenize(doc.text)
    if field == "params":
        return tokenize(" ".join(doc.params))
    if field == "examples":
        return tokens_with_compounds(" ".join(doc.examples), compounds)
    raise KeyError(field)


class _FieldIndex:
    """The CSC score matrix of one field: column t holds BM25(t, d) for every doc d."""

    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray,
                 vocab: dict[str, int], n_docs: int) -> None:
        self.data, self.indices, self.indptr = data, indices, indptr
        self.vocab, self.n_docs = vocab, n_docs

    @classmethod
    def build(cls, corpus: list[list[str]], k1: float, b: float) -> _FieldIndex:
        model = bm25s.BM25(k1=k1, b=b, method="lucene")
        model.index(corpus, show_progress=False)
        s = model.scores
        return cls(np.asarray(s["data"], np.float32), np.asarray(s["indices"], np.int32),
                   np.asarray(s["indptr"], np.int64), dict(model.vocab_dict), len(corpus))

    def score(self, terms: dict[str, float], out: np.ndarray, weight: float = 1.0) -> None:
        for term, w in terms.items():
            col = self.vocab.get(term)
            if col is None:
                continue
            lo, hi = self.indptr[col], self.indptr[col + 1]
            out[self.indices[lo:hi]] += (weight * w) * self.data[lo:hi]

    def doc_freq(self, term: str) -> int:
        col = self.vocab.get(term)
        return 0 if col is None else int(self.indptr[col + 1] - self.indptr[col])


class FieldedBM25:
    """BM25 per field; a query's score is the weighted sum over fields."""

    def __init__(self, fields: dict[str, _FieldIndex]) -> None:
        self.fields = fields

    @classmethod
    def build(
        cls, docs: Sequence[OperationDoc], compounds: Sequence[tuple[tuple[str, ...], str, bool]] = ()
    ) -> FieldedBM25:
        fields = {}
        for name in FIELDS:
            corpus = [field_tokens(d, name, compounds) or ["\x00"] for d in docs]
            k1, b = _PARAMS[name]
            fields[name] = _FieldIndex.build(corpus, k1, b)
        return cls(fields)

    @property
    def n_docs(self) -> int:
        return next(iter(self.fields.values())).n_docs

    def field_scores(
        self, field: str, terms: dict[str, float], rows: np.ndarray | None = None
    ) -> np.ndarray:
        """Scores of one field for every doc (or only ``rows``)."""
        out = np.zeros(self.n_docs, np.float32)
        self.fields[field].score(terms, out)
        return out if rows is None else out[rows]

    def scores(self, terms: dict[str, float], weights: dict[str, float]) -> np.ndarray:
        out = np.zeros(self.n_docs, np.float32)
        for field, w in weights.items():
            if w:
                self.fields[field].score(terms, out, w)
        return out

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        arrays = {}
        for name, f in self.fields.items():
            arrays[f"{name}.data"], arrays[f"{name}.indices"], arrays[f"{name}.indptr"] = (
                f.data, f.indices, f.indptr)
        tmp = directory / "bm25.tmp.npz"
        np.savez(tmp, **arrays)
        tmp.replace(directory / "bm25.npz")
        meta = {name: {"vocab": f.vocab, "n_docs": f.n_docs} for name, f in self.fields.items()}
        tmpj = directory / "bm25.tmp.json"
        tmpj.write_text(json.dumps(meta), encoding="utf-8")
        tmpj.replace(directory / "bm25.json")

    @classmethod
    def load(cls, directory: Path) -> FieldedBM25:
        meta = json.loads((directory / "bm25.json").read_text(encoding="utf-8"))
        with np.load(directory / "bm25.npz") as z:
            fields = {
                name: _FieldIndex(z[f"{name}.data"], z[f"{name}.indices"], z[f"{name}.indptr"],
                                  m["vocab"], m["n_docs"])
                for name, m in meta.items()
            }
        return cls(fields)
