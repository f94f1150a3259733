"""The index on disk, under ``$MCP_SRE_HOME/index/``:

- ``manifest.json``: index format, model, and per source its content digest and doc count;
  written last, so a reader sees the old index or the new, never half of one.
- ``docs/<source>.json``: that source's documents (rebuilt only when its digest changes).
- ``bm25.npz`` / ``bm25.json``: keyword index over every source (cheap to rebuild: seconds).
- ``derived.pkl``: what the in-memory index derives from the documents, keyed by their
  digests, the vocabulary and the deriving code (seconds to compute, milliseconds to load).
- ``vectors-<model>.npz``: embedding cache keyed by document sha (only new docs are embedded).
- ``chroma/``: the chromadb collection mirroring the vectors.
"""

from __future__ import annotations

import contextlib
import json
import logging
import pickle
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from mcp_sre.config import atomic_write, file_lock
from mcp_sre.retrieval.bm25 import FieldedBM25
from mcp_sre.retrieval.documents import DOC_FORMAT, OperationDoc

__all__ = ["INDEX_FORMAT", "IndexStore", "Manifest", "SourceEntry"]

# Bump when the on-disk layout or the scoring arrays change: older indexes are rebuilt.
INDEX_FORMAT = 2
log = logging.getLogger("mcp_sre.retrieval")


class SourceEntry(BaseModel):
    digest: str = Field(description="sha256 of the source content when it was indexed")
    count: int = Field(description="Operations indexed from it")


class Manifest(BaseModel):
    """What an index on disk holds; a mismatch with the running code means rebuild."""

    index_format: int = Field(default=INDEX_FORMAT, description="Layout version")
    doc_format: int = Field(default=DOC_FORMAT, description="Document/tokenizer version")
    sources: dict[str, SourceEntry] = Field(default_factory=dict, description="Indexed sources")
    order: list[str] = Field(default_factory=list, description="Source order of the doc arrays")
    built_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    def current(self) -> bool:
        return self.index_format == INDEX_FORMAT and self.doc_format == DOC_FORMAT


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


class IndexStore:
    """Files of one index directory."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory

    @property
    def chroma_dir(self) -> Path:
        return self.dir / "chroma"

    def vectors_path(self, model_id: str) -> Path:
        return self.dir / f"vectors-{_safe(model_id)}.npz"

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """One builder at a time across processes; readers never take it."""
        with file_lock(self.dir / ".build.lock"):
            yield

    # ------------------------------------------------------------------ manifest
    def manifest(self) -> Manifest | None:
        path = self.dir / "manifest.json"
        if not path.exists():
            return None
        try:
            return Manifest.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("index manifest unreadable (%s); it will be rebuilt", exc)
            return None

    def write_manifest(self, manifest: Manifest) -> None:
        atomic_write(self.dir / "manifest.json", manifest.model_dump_json(indent=1))

    # ---------------------------------------------------------------------- docs
    def _docs_path(self, source: str) -> Path:
        return self.dir / "docs" / f"{_safe(source)}.json"

    def load_docs(self, source: str) -> list[OperationDoc] | None:
        path = self._docs_path(source)
        try:
            data: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
            return [OperationDoc.from_json(d) for d in data]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError) as exc:
            log.warning("index docs for %s unreadable (%s); re-indexing it", source, exc)
            return None

    def save_docs(self, source: str, docs: list[OperationDoc]) -> None:
        atomic_write(self._docs_path(source),
                     json.dumps([d.to_json() for d in docs], separators=(",", ":")))

    def remove_docs(self, source: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._docs_path(source).unlink()

    # ------------------------------------------------------------------- derived
    def save_derived(self, key: str, state: dict[str, Any]) -> None:
        """Keep what the index derives from its documents, under ``key`` (see ``load_derived``)."""
        atomic_write(self.dir / "derived.pkl",
                     pickle.dumps({"key": key, "state": state}, protocol=pickle.HIGHEST_PROTOCOL))

    def load_derived(self, key: str) -> dict[str, Any] | None:
        """The state saved under ``key``, or None: none saved, another key (other documents,
        vocabulary or code), or a file that does not read back (it is derived again)."""
        path = self.dir / "derived.pkl"
        try:
            held = pickle.loads(path.read_bytes())  # written by save_derived, in the user's home
        except FileNotFoundError:
            return None
        except Exception as exc:  # a torn or foreign file costs a recompute, never a search
            log.info("derived index state unreadable (%s); deriving it again", exc)
            return None
        if not isinstance(held, dict) or held.get("key") != key:
            return None
        state = held.get("state")
        return state if isinstance(state, dict) else None

    # ---------------------------------------------------------------------- bm25
    def save_bm25(self, bm25: FieldedBM25) -> None:
        bm25.save(self.dir)

    def load_bm25(self) -> FieldedBM25 | None:
        try:
            return FieldedBM25.load(self.dir)
        except (OSError, ValueError, KeyError) as exc:
            log.info("keyword index not loadable (%s); rebuilding it", exc)
            return None

    def reset(self) -> None:
        """Remove an index from an older version (keeps the vector cache: keyed by content)."""
        for name in ("manifest.json", "bm25.npz", "bm25.json", "derived.pkl"):
            with contextlib.suppress(FileNotFoundError):
                (self.dir / name).unlink()
        shutil.rmtree(self.dir / "docs", ignore_errors=True)
