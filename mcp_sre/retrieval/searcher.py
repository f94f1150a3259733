"""The searcher: rewrites a request, scores every operation of an index snapshot by keyword
and dense similarity, picks the candidates, reranks them, filters by provider/service, and
logs every query."""

from __future__ import annotations

import difflib
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, Field

from mcp_sre import observability
from mcp_sre.errors import NotFoundError, ValidationError
from mcp_sre.retrieval.candidates import N_CANDIDATES, candidates
from mcp_sre.retrieval.decompose import load_decomposer, merge
from mcp_sre.retrieval.fusion import top_k
from mcp_sre.retrieval.rerank import FeatureReranker, RerankWeights
from mcp_sre.retrieval.rewrite import WRITE_INTENTS, QueryRewriter

if TYPE_CHECKING:
    from mcp_sre.retrieval.dense import Embedder
    from mcp_sre.retrieval.documents import OperationDoc
    from mcp_sre.retrieval.index import SearchIndex
    from mcp_sre.retrieval.vocabulary import Vocabulary

__all__ = ["FIELD_WEIGHTS", "MAX_TOP_K", "MODES", "Mode", "SearchResult", "Searcher"]

log = logging.getLogger("mcp_sre.retrieval")
Mode = Literal["bm25", "dense", "hybrid", "rerank"]
MODES: tuple[str, ...] = ("bm25", "dense", "hybrid", "rerank")
MAX_TOP_K = 100
# Field weights of the first-stage keyword score.
FIELD_WEIGHTS = {"name": 1.0, "service": 0.5, "text": 0.35, "params": 0.1}


RETURNS_SHOWN = 8  # reply fields a result names: enough to tell two neighbours apart


class SearchResult(BaseModel):
    """One operation that matches a request."""

    id: str = Field(description="provider/service/operation: pass to get_api_spec or sre.call")
    provider: str = Field(description="Cloud or API family")
    service: str = Field(description="Service inside the provider")
    operation: str = Field(description="The spec's own operation name")
    method: str = Field(description="HTTP method or RPC kind")
    endpoint: str = Field(description="Path template or RPC name")
    summary: str = Field(description="One-line summary")
    access: str = Field(description="read or write")
    returns: list[str] = Field(default_factory=list, description="The first fields of what the "
                               "operation returns, nearest first (PointInTimeRecoveryStatus...)")
    score: float = Field(description="Relevance; higher is better, comparable within one query")
    ref: str | None = Field(default=None, description="This search's reference: pass it to the "
                            "feedback tool to say the results were right or wrong")


class Searcher:
    """Answers requests with ``vocabulary`` over the snapshot ``index()`` returns (it builds
    the index when there is none). ``embedder``: a callable returning the embedding model or
    None; ``llm``: optional ``(prompt) -> str`` rewrite seam; ``log_path``: the JSONL query log;
    ``providers``: where a request that names no provider looks (empty: everywhere)."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        index: Callable[[], SearchIndex],
        *,
        embedder: Callable[[], Embedder | None],
        log_path: Path,
        llm: Callable[[str], str] | None = None,
        weights: RerankWeights | None = None,
        learner: Any = None,
        providers: Sequence[str] = (),
    ) -> None:
        self.vocabulary = vocabulary
        # The clouds a request that names no provider is searched in (Settings.providers).
        self.providers = tuple(providers)
        self._unknown_providers: list[str] = []
        # Lessons from feedback (mcp_sre.learning.Learner): adjust rankings, record searches.
        self.learner = learner
        self._doc_ids: tuple[Any, dict[str, int]] | None = None
        self._index = index
        self._embedder = embedder
        self.log_path = log_path
        self.llm = llm
        self.reranker = FeatureReranker(weights)
        self._log_lock = threading.Lock()
        # the rewriter of the index whose service aliases it knows (a new index, new aliases)
        self._rewriter: tuple[dict[Any, Any], QueryRewriter] | None = None

    def rewriter_for(self, index: SearchIndex) -> QueryRewriter:
        """The rewriter that knows ``index``'s service aliases (built once per index build)."""
        held = self._rewriter
        if held is None or held[0] is not index.aliases:
            held = (index.aliases, QueryRewriter(self.vocabulary, index.aliases, llm=self.llm,
                                                 operation_verbs=index.verb_reads,
                                                 joined_words=index.joined_words,
                                                 field_names=index.field_names,
                                                 identifiers=index.identifiers,
                                                 word_pairs=index.word_pairs,
                                                 initialisms=index.initialisms,
                                                 resources=index.resource_stems,
                                                 field_words=index.field_words,
                                                 field_kinds=index.field_kinds))
            self._rewriter = held
        return held[1]

    def search(
        self,
        query: str,
        provider: str | None = None,
        service: str | None = None,
        top_k: int = 10,
        *,
        mode: Mode = "rerank",
        decompose: bool = False,
        model_words: str | None = None,
    ) -> list[SearchResult]:
        """Operations for ``query``, best first. Queries longer than 1,000 characters are
        truncated (and the log says so); an empty one is a :class:`ValidationError`.
        ``decompose``: a request that needs several operations (a condition on a metric, a
        failure's logs and events, several clauses) gets each part's best results too.
        ``model_words``: API words a model gave for the request, searched with it."""
        started = time.perf_counter()
        if not isinstance(query, str) or not query.strip():
            raise ValidationError("the search query is empty",
                                  hint="describe what you want to do, e.g. 'list pods in namespace shop'")
        if mode not in MODES:
            raise ValidationError(f"unknown search mode {mode!r}", hint=f"one of {', '.join(MODES)}")
        if not isinstance(top_k, int) or top_k < 1:
            raise ValidationError(f"top_k must be a positive integer, got {top_k!r}")
        top_k = min(top_k, MAX_TOP_K)
        index = self._index()
        rewriter = self.rewriter_for(index)
        q = rewriter.rewrite(query, model_words)
        scope = self._scope(index, q) if not (provider or service) else ()
        mask = self._mask(index, provider, service, scope)
        ranked, scores = self._rank(index, q, mask, mode)
        vector = None
        if self.learner is not None and mode == "rerank":
            vector = self._query_vector(index, q)
            ranked, scores = self._learned(index, q, ranked, scores, mask, provider, vector)
        results = [self._result(index.docs[int(i)], float(s)) for i, s in zip(ranked[:top_k], scores[:top_k], strict=False)]
        parts = load_decomposer().parts(q.original) if decompose else []
        if parts:
            rankings = []
            for part, context in parts:
                pq = rewriter.rewrite(part)
                if context and pq.head is None:  # "check its status": of what the request is about
                    pq = rewriter.rewrite(f"{part} {context}")
                p_ranked, p_scores = self._rank(index, pq, mask, mode)
                rankings.append([self._result(index.docs[int(i)], float(s))
                                 for i, s in zip(p_ranked[:top_k], p_scores[:top_k], strict=False)])
            results = merge(results, rankings, top_k, read_only=not (q.intents & WRITE_INTENTS))
        if self.learner is not None:
            ref = self.learner.record_search(query, provider, q, [r.id for r in results], vector)
            for r in results:
                r.ref = ref
        seconds = time.perf_counter() - started
        self._log(q, provider or list(scope) or None, service, mode, results, seconds,
                  [p for p, _ in parts])
        observability.current().search(query, mode, seconds, [r.id for r in results])
        return results

    def _scope(self, index: SearchIndex, q: Any) -> tuple[str, ...]:
        """The providers a request names ("火山云监控", "AKS"), else the configured ones; none
        (everywhere) when that is all of them. A request that names a cloud wants that cloud."""
        unknown = sorted(set(self.providers) - set(index.providers))
        if unknown and self._unknown_providers != unknown:  # a typo would widen every search
            self._unknown_providers = unknown
            log.warning("configured providers %s are not indexed (known: %s)",
                        ", ".join(unknown), ", ".join(index.providers))
        scope = [p for p in index.providers if p in q.named_providers]
        if not scope:
            scope = [p for p in index.providers if p in self.providers]
        return tuple(scope) if scope and len(scope) < len(index.providers) else ()

    def _mask(self, index: SearchIndex, provider: str | None, service: str | None,
              scope: Sequence[str] = ()) -> np.ndarray | None:
        mask = None
        if scope:
            mask = np.isin(index.provider_of, [index.providers.index(p) for p in scope])
        if provider:
            if provider not in index.providers:
                known = ", ".join(sorted(index.providers))
                raise NotFoundError(f"unknown provider {provider!r}", hint=f"known providers: {known}")
            mask = index.provider_of == index.providers.index(provider)
        if service:
            keys = [i for i, (p, s) in enumerate(index.keys) if s == service and (not provider or p == provider)]
            if not keys:
                names = sorted({s for p, s in index.keys if not provider or p == provider})
                close = difflib.get_close_matches(service, names, n=3)
                raise NotFoundError(
                    f"unknown service {service!r}" + (f" for provider {provider!r}" if provider else ""),
                    hint=f"did you mean: {', '.join(close)}" if close else "search without a service filter",
                )
            smask = np.isin(index.service_of, keys)
            mask = smask if mask is None else mask & smask
        return mask

    def _rank(
        self, index: SearchIndex, q: Any, mask: np.ndarray | None, mode: str
    ) -> tuple[np.ndarray, np.ndarray]:
        lexical = index.bm25.scores(q.terms, FIELD_WEIGHTS)
        dense = self._dense_scores(index, q, mask) if mode != "bm25" else None
        lex_c = top_k(lexical, N_CANDIDATES, mask)
        if mode == "bm25" or (mode == "dense" and dense is None):
            return lex_c, lexical[lex_c]
        if mode == "dense":
            assert dense is not None
            dc = top_k(dense, N_CANDIDATES, mask)
            return dc, dense[dc]
        cands, fused, coverage = candidates(index, q, mask, lexical, dense, lex_c)
        if mode == "hybrid":
            cands = np.fromiter(fused.keys(), np.int64, len(fused))
            return cands, np.fromiter(fused.values(), np.float64, len(fused))
        return self.reranker.rerank(
            self.reranker.features(index, q, cands, lexical, dense, fused, coverage))

    def _query_vector(self, index: SearchIndex, q: Any) -> Any:
        embedder = self._embedder() if index.embeddings is not None else None
        return embedder.embed_query(q.dense_text) if embedder is not None else None

    def _learned(self, index: SearchIndex, q: Any, ranked: np.ndarray, scores: np.ndarray,
                 mask: np.ndarray | None, provider: str | None, vector: Any,
                 ) -> tuple[np.ndarray, np.ndarray]:
        """The ranking after the learner's lessons for requests like this one."""
        ids = [index.docs[int(i)].id for i in ranked]
        changes = self.learner.adjust(q, ids, scores, vector=vector, provider=provider)
        if not changes:
            return ranked, scores
        if self._doc_ids is None or self._doc_ids[0] is not index:
            self._doc_ids = (index, {d.id: n for n, d in enumerate(index.docs)})
        where = self._doc_ids[1]
        floor = float(scores[min(9, len(scores) - 1)]) if len(scores) else 0.0
        merged = {int(i): float(s) for i, s in zip(ranked, scores, strict=False)}
        for op, delta in changes.items():
            n = where.get(op)
            if n is None or (mask is not None and not mask[n]):
                continue  # not in this index, or filtered out by provider/service
            merged[n] = merged.get(n, floor) + delta
        order = sorted(merged, key=lambda n: -merged[n])
        return (np.fromiter(order, np.int64, len(order)),
                np.fromiter((merged[n] for n in order), np.float64, len(order)))

    def _dense_scores(self, index: SearchIndex, q: Any, mask: np.ndarray | None) -> np.ndarray | None:
        embedder = self._embedder() if index.embeddings is not None else None
        if embedder is None or index.embeddings is None:
            return None
        dense = index.embeddings @ embedder.embed_query(q.dense_text)
        return np.where(mask, dense, -1.0) if mask is not None else dense

    @staticmethod
    def _result(doc: OperationDoc, score: float) -> SearchResult:
        return SearchResult(
            id=doc.id, provider=doc.provider, service=doc.service, operation=doc.name,
            method=doc.method, endpoint=doc.endpoint, summary=doc.summary, access=doc.access,
            returns=doc.outputs[:RETURNS_SHOWN], score=round(score, 4),
        )

    def _log(self, q: Any, provider: str | list[str] | None, service: str | None, mode: str,
             results: list[SearchResult], seconds: float, parts: list[str] | None = None) -> None:
        record = {
            "ts": time.time(), "query": q.original, "rewritten": q.text, "truncated": q.truncated,
            "intents": sorted(q.intents), "services": [f"{p}/{s}" for p, s in q.services],
            "provider": provider, "service": service, "mode": mode, "parts": parts or [],
            "top": [r.id for r in results[:5]], "latency_ms": round(seconds * 1000, 2),
        }
        line = json.dumps(record, ensure_ascii=False) + "\n"
        try:
            with self._log_lock:
                self.log_path.parent.mkdir(parents=True, exist_ok=True)
                with open(self.log_path, "a", encoding="utf-8") as fh:
                    fh.write(line)
        except OSError as exc:  # logging must never fail a search
            log.debug("cannot write %s: %s", Path(self.log_path), exc)
