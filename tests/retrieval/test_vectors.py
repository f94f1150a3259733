"""The vector cache and the shipped-seed format (no model needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mcp_sre.retrieval.dense import VectorCache, read_seed, write_seed


def _unit(n: int, dim: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_seed_round_trip_keeps_cosines(tmp_path: Path) -> None:
    vecs = _unit(50, 384)
    keys = [f"k{i}" for i in range(50)]
    write_seed(tmp_path / "seed.npz", keys, vecs)
    back = read_seed(tmp_path / "seed.npz", 384)
    assert set(back) == set(keys)
    got = np.stack([back[k] for k in keys]).astype(np.float32)
    got /= np.linalg.norm(got, axis=1, keepdims=True)
    assert np.min(np.sum(got * vecs, axis=1)) > 0.999
    assert read_seed(tmp_path / "seed.npz", 128) == {}  # another model's dimension
    (tmp_path / "bad.npz").write_bytes(b"nope")
    assert read_seed(tmp_path / "bad.npz", 384) == {}


def test_cache_uses_seed_then_its_own_file(tmp_path: Path) -> None:
    vecs = _unit(4, 8)
    write_seed(tmp_path / "seed.npz", ["a", "b", "c", "d"], vecs)
    cache = VectorCache(tmp_path / "cache.npz", 8, seed=tmp_path / "seed.npz")
    assert len(cache) == 4 and cache.matrix(["a", "b"]) is not None
    assert cache.matrix(["a", "zzz"]) is None  # a missing doc -> not ready
    cache.put_many(["zzz"], _unit(1, 8, seed=1))
    cache.save()
    again = VectorCache(tmp_path / "cache.npz", 8)
    mat = again.matrix(["a", "zzz"])
    assert mat is not None and mat.shape == (2, 8)
    np.testing.assert_allclose(np.linalg.norm(mat, axis=1), 1.0, rtol=1e-3)
    (tmp_path / "cache.npz").write_bytes(b"corrupt")
    assert len(VectorCache(tmp_path / "cache.npz", 8)) == 0  # unreadable cache: start over
