"""Reciprocal Rank Fusion: merge rankings by rank alone, so scores on different scales
(BM25 sums, cosine similarities) can be combined without calibration."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["rrf", "top_k"]


def top_k(scores: np.ndarray, k: int, mask: np.ndarray | None = None) -> np.ndarray:
    """Indices of the ``k`` best scores, best first (only where ``mask`` is true)."""
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    k = min(k, scores.shape[0])
    if k <= 0:
        return np.zeros(0, np.int64)
    part = np.argpartition(-scores, k - 1)[:k]
    order = part[np.argsort(-scores[part], kind="stable")]
    return order[np.isfinite(scores[order])]


def rrf(
    rankings: Sequence[Sequence[int]], k: float = 60.0, weights: Sequence[float] | None = None
) -> dict[int, float]:
    """Fuse ranked lists of doc indices: score(d) = sum_i w_i / (k + rank_i(d))."""
    fused: dict[int, float] = {}
    for i, ranking in enumerate(rankings):
        w = 1.0 if weights is None else weights[i]
        for rank, doc in enumerate(ranking, start=1):
            fused[int(doc)] = fused.get(int(doc), 0.0) + w / (k + rank)
    return dict(sorted(fused.items(), key=lambda kv: -kv[1]))
