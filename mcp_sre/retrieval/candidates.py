"""First-stage candidates for the reranker, chosen in one place: the keyword and dense top
lists (fused with RRF), the operations whose names the request spells out, the best keyword
matches inside each service the request names, and there those that return a field it names."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mcp_sre.retrieval.fusion import rrf, top_k

if TYPE_CHECKING:
    from mcp_sre.retrieval.index import SearchIndex
    from mcp_sre.retrieval.rewrite import RewrittenQuery

__all__ = ["N_CANDIDATES", "N_SPELLED", "candidates", "field_candidates", "name_coverage",
           "service_candidates", "span_candidates"]

N_CANDIDATES = 150
N_SPELLED = 50  # operations whose names the request spells out, whatever BM25 says


def candidates(
    index: SearchIndex, q: RewrittenQuery, mask: np.ndarray | None, lexical: np.ndarray,
    dense: np.ndarray | None, lex_c: np.ndarray,
) -> tuple[np.ndarray, dict[int, float], np.ndarray]:
    """The candidates (keyword top ``lex_c``, dense top, spelled-out names, best of each named
    service), the RRF fusion of the two first-stage rankings, and every operation's name
    coverage (a reranking feature)."""
    dense_c = top_k(dense, N_CANDIDATES, mask) if dense is not None else np.zeros(0, np.int64)
    fused = rrf([lex_c, dense_c] if dense is not None else [lex_c])
    cands = np.fromiter(fused.keys(), np.int64, len(fused))
    coverage = name_coverage(index, q)
    top_lex = float(lexical.max()) or 1.0
    spelled = top_k(coverage + 0.1 * lexical / top_lex, N_SPELLED, mask)
    cands = np.unique(np.concatenate([
        cands, spelled, service_candidates(index, q, lexical, mask),
        span_candidates(index, q, lexical, mask), field_candidates(index, q, mask)]))
    return cands, fused, coverage


def field_candidates(index: SearchIndex, q: RewrittenQuery, mask: np.ndarray | None) -> np.ndarray:
    """In each service the request names, the operations whose reply holds a field it names
    ("ddb orders item count": DescribeTable, though no word of its name is written)."""
    if not q.fields:
        return np.zeros(0, np.int64)
    out = [int(c) for smask in _named_services(index, q, mask) for c in np.flatnonzero(smask)
           if not index.replies[c].isdisjoint(q.fields)]
    return np.array(out, np.int64)


def span_candidates(
    index: SearchIndex, q: RewrittenQuery, lexical: np.ndarray, mask: np.ndarray | None, per: int = 20
) -> np.ndarray:
    """For a request about a span of time ("over the past 6 hours"), the best keyword matches
    among operations whose input opens one: a metric's history is read from another service
    than the one the request names ("web-asg's network traffic, last hour")."""
    if not q.time_window or not len(index.time_range):
        return np.zeros(0, np.int64)
    spans = index.time_range > 0
    return top_k(lexical, per, spans if mask is None else spans & mask)


def name_coverage(index: SearchIndex, q: RewrittenQuery) -> np.ndarray:
    """For every operation, the share of its name words the request mentions (0..1), its
    verb counting when the request's intent allows it (show -> Get/Describe/Read)."""
    field = index.bm25.fields["name"]
    hits = np.zeros(len(index), np.float32)
    terms = dict(q.verbs)
    terms.update(q.terms)
    for term, w in terms.items():
        col = field.vocab.get(term)
        if col is not None:
            lo, hi = field.indptr[col], field.indptr[col + 1]
            hits[field.indices[lo:hi]] += w
    return np.minimum(hits / index.name_len, 1.0)


def service_candidates(
    index: SearchIndex, q: RewrittenQuery, lexical: np.ndarray, mask: np.ndarray | None, per: int = 40
) -> np.ndarray:
    """The best keyword matches inside each service the request names, so a named
    service's operations reach the reranker even when other services' words score higher."""
    out = [top_k(lexical, per, smask) for smask in _named_services(index, q, mask)]
    return np.concatenate(out) if out else np.zeros(0, np.int64)


def _named_services(index: SearchIndex, q: RewrittenQuery, mask: np.ndarray | None
                    ) -> list[np.ndarray]:
    """For each of the (up to four, strongest first) services the request names that the
    index holds: which operations are that service's, within ``mask``."""
    out = []
    for key, _ in sorted(q.services.items(), key=lambda kv: -kv[1])[:4]:
        try:
            sid = index.keys.index(key)
        except ValueError:
            continue
        smask = index.service_of == sid
        out.append(smask if mask is None else smask & mask)
    return out
