"""The indexer: builds and loads the operation index, updates it when a source's content
changes (that source alone is re-read), embeds documents in the background and mirrors the
vectors into the vector store. Searches read :attr:`Indexer.index`, an immutable snapshot a
rebuild replaces, so they keep answering (from the old snapshot) while re-indexing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, Field

from mcp_sre.config import atomic_write
from mcp_sre.errors import NotFoundError, SpecError
from mcp_sre.retrieval.bm25 import FieldedBM25
from mcp_sre.retrieval.dense import (
    ChromaStore,
    Embedder,
    VectorCache,
    embed_missing,
    extra_seed_paths,
    seed_path,
)
from mcp_sre.retrieval.documents import DOC_FORMAT, build_document, dense_text
from mcp_sre.retrieval.index import SearchIndex, derivation_key
from mcp_sre.retrieval.store import IndexStore, Manifest, SourceEntry

if TYPE_CHECKING:
    from mcp_sre.retrieval.documents import OperationDoc
    from mcp_sre.retrieval.vocabulary import Vocabulary
    from mcp_sre.specs.catalog import SpecCatalog

__all__ = ["IndexStatus", "Indexer", "Progress"]

log = logging.getLogger("mcp_sre.retrieval")
Progress = Callable[[int, int, str], None]
DIGEST_CHECK_S = 2.0  # ensure_index re-reads source digests at most this often when warm
# Documents missing a vector that are embedded before ensure_index returns rather than in the
# background (~20-50 a second on 2 cores): after `specs add`, a short-lived process would
# otherwise answer keyword-only and exit before the background thread ever finished.
INLINE_EMBED_MAX = 256


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


class Indexer:
    """Keeps the index of ``catalog``'s sources (``sources``, else ``MCP_SRE_INDEX_SOURCES``,
    else every default source) under ``store``. ``embedder``: a callable returning the
    embedding model or None (keyword-only); ``vector_seed``: shipped vectors to start from;
    ``inline_embed_max``: at most this many missing vectors are embedded before returning."""

    def __init__(
        self,
        store: IndexStore,
        catalog: Callable[[], SpecCatalog],
        vocabulary: Vocabulary,
        *,
        embedder: Callable[[], Embedder | None],
        sources: list[str] | None = None,
        vector_seed: Path | str | None = "default",
        inline_embed_max: int = INLINE_EMBED_MAX,
    ) -> None:
        self.store = store
        self.inline_embed_max = inline_embed_max
        self._catalog = catalog
        self.vocabulary = vocabulary
        self._embedder = embedder
        self.source_names = sources
        self.vector_seed = vector_seed
        self.index: SearchIndex | None = None
        self.build_lock = threading.RLock()
        self._dense_thread: threading.Thread | None = None
        self._dense_progress = (0, 0)
        self._generation = 0
        self._stop = threading.Event()
        # (digest per source, docs per source, source list) of the installed index
        self._loaded: tuple[dict[str, str], dict[str, int], tuple[str, ...]] | None = None
        self._checked_at = 0.0

    @property
    def catalog(self) -> SpecCatalog:
        return self._catalog()

    @property
    def embedder(self) -> Embedder | None:
        return self._embedder()

    def _source_list(self) -> list[str]:
        """``sources`` given, else ``MCP_SRE_INDEX_SOURCES`` (comma-separated), else every
        default source of the catalog."""
        if self.source_names is not None:
            return list(self.source_names)
        env = os.environ.get("MCP_SRE_INDEX_SOURCES", "").strip()
        if env:
            return [n.strip() for n in env.split(",") if n.strip()]
        return [s.name for s in self.catalog.sources() if s.default]

    def ensure_index(self, progress: Progress | None = None, *, wait_dense: bool = False) -> IndexStatus:
        """Build or update the index. A source whose content digest changed is re-indexed
        alone; the keyword index over all sources is then rebuilt (seconds). Dense vectors of
        new documents are embedded in the background unless ``wait_dense``."""
        started = time.perf_counter()
        say = progress or (lambda done, total, msg: None)
        quick = self._unchanged(started)
        if quick is not None:  # the usual case for a server: called before every search
            return quick
        with self.build_lock, self.store.locked():
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
                bm25 = FieldedBM25.build(all_docs, self.vocabulary.compounds)
                self.store.save_bm25(bm25)
            self.store.write_manifest(Manifest(sources=entries, order=order))
            digests = {n: e.digest for n, e in entries.items()}
            key = derivation_key(digests, order, self.vocabulary, DOC_FORMAT)
            derived = self.store.load_derived(key)
            index = SearchIndex.from_docs(all_docs, self.vocabulary, bm25=bm25, derived=derived)
            if derived is None:
                self.store.save_derived(key, index.derived())
            self._loaded = (digests, dict(status.sources), tuple(names))
            status.documents = len(all_docs)
            self._install(index)
            status.dense = self._attach_dense(index, order, status.rebuilt, say, wait_dense)
        status.seconds = round(time.perf_counter() - started, 2)
        return status

    def _unchanged(self, started: float) -> IndexStatus | None:
        """A status without any work when the installed index already matches every source's
        current digest (None when something must be checked or rebuilt)."""
        loaded = self._loaded
        if loaded is None or self.index is None:
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
            documents=len(self.index), sources=counts, reused=[n for n in names if n in digests],
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
        self.index = index  # readers see the old or the new snapshot
        self._generation += 1

    def _attach_dense(
        self, index: SearchIndex, order: list[str], changed: list[str], say: Progress, wait: bool,
    ) -> str:
        embedder = self.embedder
        if embedder is None:
            return "off"
        seed = [seed_path(embedder.model_id), *extra_seed_paths(embedder.model_id)] \
            if self.vector_seed == "default" else (
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

        if wait or missing <= self.inline_embed_max:
            if not wait:
                say(0, missing, f"embedding {missing} new operations")
            work()
            current = self.index
            return "ready" if current is not None and current.embeddings is not None \
                else f"building (0/{missing})"
        if self._dense_thread is None or not self._dense_thread.is_alive():
            self._dense_progress = (0, missing)
            self._dense_thread = threading.Thread(target=work, name="mcp-sre-embed", daemon=True)
            self._dense_thread.start()
        return f"building (0/{missing})"

    def _install_vectors(self, index: SearchIndex, matrix: np.ndarray) -> None:
        if self.index is index:
            self.index = replace(index, embeddings=matrix)

    def _sync_chroma(
        self, embedder: Embedder, index: SearchIndex, matrix: np.ndarray, order: list[str],
        changed: list[str] | None,
    ) -> None:
        """Mirror vectors into chromadb for the sources that changed (all if unknown)."""
        if os.environ.get("MCP_SRE_VECTOR_STORE", "chroma").lower() != "chroma":
            return
        # what the mirror holds, noted after each sync: a process that changed nothing need
        # not open chromadb (about a second of imports) to find it in step
        marker = self.store.chroma_dir / "mirrored.json"
        held = json.dumps({"model": embedder.model_id, "docs": hashlib.sha256(
            "\n".join(d.sha for d in index.docs).encode()).hexdigest()})
        if changed is not None and not changed and marker.exists() and marker.read_text() == held:
            return
        try:
            chroma = ChromaStore(self.store.chroma_dir, embedder.model_id, embedder.dim)
            if changed is not None and not changed and chroma.count() == len(index.docs):
                atomic_write(marker, held)
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
            atomic_write(marker, held)
        except ImportError:
            log.info("chromadb not installed: vectors kept in the local cache only")
        except Exception as exc:  # the vector mirror must never break search
            log.warning("chromadb update failed: %s", exc)

    def wait_for_dense(self, timeout: float | None = None) -> bool:
        thread = self._dense_thread
        if thread is not None:
            thread.join(timeout)
        return self.index is not None and self.index.embeddings is not None

    def close(self, timeout: float = 60.0) -> None:
        """Stop a background embedding build and wait for it (up to ``timeout`` seconds): a
        build still inside the model when the interpreter exits can crash the process."""
        self._stop.set()
        self.wait_for_dense(timeout)

    def status(self) -> dict[str, Any]:
        index = self.index
        done, total = self._dense_progress
        return {
            "documents": len(index) if index else 0,
            "dense": "off" if self.embedder is None else
            "ready" if index is not None and index.embeddings is not None else f"building ({done}/{total})",
            "index_dir": str(self.store.dir),
        }
