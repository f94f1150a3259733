"""Second-stage ranking over the fused candidates.

No cross-encoder ships in a PyPI package (see the retrieval notes), so the reranker here is a
small linear model over features a cross-encoder would otherwise have to learn: how much of
the operation's name the request covers, whether the request names the operation's service,
whether the request's verb fits the operation's verb, the keyword and dense scores, and priors
(stable API versions over alpha/beta, not deprecated, services SREs use most).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mcp_sre.retrieval.documents import STOPWORDS, stem
from mcp_sre.retrieval.rewrite import WRITE_INTENTS

if TYPE_CHECKING:
    from mcp_sre.retrieval.index import SearchIndex
    from mcp_sre.retrieval.rewrite import RewrittenQuery

__all__ = ["FeatureReranker", "Features", "RerankWeights"]


@dataclass(frozen=True, slots=True)
class RerankWeights:
    """Weights of the linear reranker; chosen on the dev sets with few degrees of freedom."""

    lexical: float = 1.0
    dense: float = 1.0
    coverage: float = 0.6
    service: float = 0.6
    provider: float = 0.2
    verb: float = 0.25
    common: float = 0.1
    penalty: float = 0.3
    read: float = 0.3
    plurality: float = 0.2
    rrf: float = 0.0


@dataclass(slots=True)
class Features:
    """Per-candidate features (arrays aligned with ``candidates``)."""

    candidates: np.ndarray
    lexical: np.ndarray
    dense: np.ndarray
    coverage: np.ndarray
    service: np.ndarray
    provider: np.ndarray
    verb: np.ndarray
    common: np.ndarray
    penalty: np.ndarray
    read: np.ndarray
    plurality: np.ndarray
    rrf: np.ndarray


_PREPOSITIONS = frozenset({"by", "for", "from", "in", "with", "to", "of", "on"})


def _plural(word: str) -> bool:
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")) and stem(word) != word


def plurality(index: SearchIndex, q: RewrittenQuery, candidates: np.ndarray) -> np.ndarray:
    """Does the request name the operation's resource in the same number? +1 when its last
    name word (the resource) appears in the same form (instances vs instance), -1 when the
    request is plural and the operation reads one item. A list operation counts as plural
    (Kubernetes names them listCoreV1NamespacedPod)."""
    forms: dict[str, set[bool]] = {}
    for w in q.words:
        if w not in STOPWORDS:
            forms.setdefault(stem(w), set()).add(_plural(w))
    out = np.zeros(len(candidates), np.float32)
    if not forms:
        return out
    for i, c in enumerate(candidates):
        doc = index.docs[int(c)]
        words = doc.name_words[1:]
        for j, w in enumerate(words):  # the resource comes before By/For (ListXByY, ListXForY)
            if w in _PREPOSITIONS and j:
                words = words[:j]
                break
        listing = doc.verb == "list"
        for last in words[::-1][:2]:  # ComponentStatus: try "status", then "component"
            seen = forms.get(stem(last))
            if seen is None:
                continue
            doc_plural = listing or _plural(last)
            if doc_plural in seen:
                out[i] = 1.0
            elif True in seen and not doc_plural:
                out[i] = -1.0
            break
    return out


def name_coverage(index: SearchIndex, q: RewrittenQuery, candidates: np.ndarray) -> np.ndarray:
    """Share of each candidate's operation-name words the request mentions (0..1)."""
    field = index.bm25.fields["name"]
    hits = np.zeros(len(index), np.float32)
    terms = dict(q.verbs)
    terms.update(q.terms)
    for term, w in terms.items():
        col = field.vocab.get(term)
        if col is not None:
            lo, hi = field.indptr[col], field.indptr[col + 1]
            hits[field.indices[lo:hi]] += w
    return np.minimum(hits[candidates] / index.name_len[candidates], 1.0)


class FeatureReranker:
    """Scores candidates with :class:`RerankWeights`; returns candidates best first."""

    def __init__(self, weights: RerankWeights | None = None) -> None:
        self.weights = weights or RerankWeights()

    def features(
        self,
        index: SearchIndex,
        q: RewrittenQuery,
        candidates: np.ndarray,
        lexical: np.ndarray,
        dense: np.ndarray | None,
        rrf: dict[int, float] | None = None,
    ) -> Features:
        lex = lexical[candidates]
        top = float(lex.max()) if lex.size else 0.0
        lex = lex / top if top > 0 else lex
        if dense is not None:
            d = dense[candidates]
            best = float(dense.max())
            # cosines of one model sit in a narrow band: measure each against the best one
            dn = np.clip(1.0 - (best - d) / 0.1, 0.0, 1.0)
        else:
            dn = np.zeros(len(candidates), np.float32)
        svc = np.zeros(len(candidates), np.float32)
        prov = np.zeros(len(candidates), np.float32)
        if q.services:
            key_weight = np.array([q.services.get(k, 0.0) for k in index.keys], np.float32)
            svc = key_weight[index.service_of[candidates]]
        if q.providers:
            pw = np.array([q.providers.get(p, 0.0) for p in index.providers], np.float32)
            prov = pw[index.provider_of[candidates]]
        verb = np.array([q.verbs.get(index.verb_of[c], 0.0) for c in candidates], np.float32)
        rr = np.array([(rrf or {}).get(int(c), 0.0) for c in candidates], np.float32)
        if rr.size and rr.max() > 0:
            rr = rr / rr.max()
        return Features(
            candidates=candidates, lexical=lex, dense=dn,
            coverage=name_coverage(index, q, candidates), service=svc, provider=prov,
            verb=verb, common=index.common[candidates], penalty=index.penalty[candidates],
            read=index.is_read[candidates] if not (q.intents & WRITE_INTENTS) else
            np.zeros(len(candidates), np.float32),
            plurality=plurality(index, q, candidates), rrf=rr,
        )

    def score(self, f: Features) -> np.ndarray:
        w = self.weights
        return (
            w.lexical * f.lexical + w.dense * f.dense + w.coverage * f.coverage
            + w.service * f.service + w.provider * f.provider + w.verb * f.verb
            + w.common * f.common - w.penalty * f.penalty + w.rrf * f.rrf
            + w.read * f.read + w.plurality * f.plurality
        )

    def rerank(self, f: Features) -> tuple[np.ndarray, np.ndarray]:
        scores = self.score(f)
        order = np.argsort(-scores, kind="stable")
        return f.candidates[order], scores[order]
