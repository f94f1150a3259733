"""Fit the reuse decision of the tool matcher (``REUSE_MODEL`` in mcp_sre/registry/matching.py).

The matcher ranks the right starter tool first for nearly every request; what needs fitting is
*whether* to reuse it. This script sends every request of ``reuse_train.yaml`` (tool -> requests
for it; ``none`` -> requests no starter tool answers) through the matcher with the multilingual
embedder, takes the best-ranked tool's features, and fits a logistic regression (numpy, L2) to
"reusing it answers the request". It prints the weights to paste into ``REUSE_MODEL`` and the
training figures at a few thresholds. None of the training requests is in bench_reuse.py,
which stays the measure.

    python benchmarks/fit_reuse.py [--l2 0.001]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mcp_sre.config import load_settings  # noqa: E402
from mcp_sre.registry import ToolRegistry  # noqa: E402
from mcp_sre.registry.matching import REUSE_MODEL  # noqa: E402
from mcp_sre.retrieval.dense import E5Embedder  # noqa: E402

FEATURES = ("lexical", "dense", "specificity", "margin")


def rows(registry: ToolRegistry, train: dict[str, list[str]]) -> list[tuple[str, str | None, bool, dict[str, float]]]:
    """(request, tool it was written for, best-ranked is that tool, features of the best)."""
    docs = [registry.tool_doc(tool) for tool in registry.active_tools()]
    out = []
    for tool, requests in train.items():
        want = None if tool == "none" else tool
        for request in requests:
            best = registry.matcher.match(request, docs)[0]
            out.append((request, want, best.doc.name == want, dict(best.features)))
    return out


def fit(x: np.ndarray, y: np.ndarray, l2: float, steps: int = 20000) -> np.ndarray:
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-xb @ w))
        w -= 0.5 * (xb.T @ (p - y) / len(y) + l2 * np.r_[w[:-1], 0.0])
    return w


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--l2", type=float, default=0.001)
    ap.add_argument("--train", type=Path, default=ROOT / "benchmarks" / "reuse_train.yaml")
    args = ap.parse_args()
    train = yaml.safe_load(args.train.read_text("utf-8"))
    work = Path(tempfile.mkdtemp(prefix="mcp-sre-fit-reuse-"))
    try:
        registry_dir = work / "tool_registry"
        shutil.copytree(ROOT / "tool_registry", registry_dir,
                        ignore=shutil.ignore_patterns(".lock", ".removed"))
        registry = ToolRegistry(load_settings(home=work / "home", registry_dir=registry_dir),
                                embed=E5Embedder())
        data = rows(registry, train)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    x = np.array([[f[k] for k in FEATURES] for *_, f in data])
    y = np.array([float(ok) for _, _, ok, _ in data])
    w = fit(x, y, args.l2)
    fitted = {k: round(float(v), 2) for k, v in zip((*FEATURES, "bias"), w, strict=True)}
    print(f"{len(data)} requests ({int(y.sum())} with the right tool ranked first, "
          f"{sum(t is None for _, t, _, _ in data)} that no tool answers)")
    print(f"fitted REUSE_MODEL = {fitted}")
    print(f"shipped REUSE_MODEL = {REUSE_MODEL}")
    xb = np.hstack([x, np.ones((len(x), 1))])
    for name, weights in (("fitted", w), ("shipped", np.array(
            [*(REUSE_MODEL[k] for k in FEATURES), REUSE_MODEL["bias"]]))):
        # the lowest threshold that keeps false reuse at one training request or fewer
        false_conf = np.sort(1 / (1 + np.exp(-(xb[y == 0] @ weights))))[::-1]
        lowest = float(false_conf[1]) if len(false_conf) > 1 else 0.5
        conf = 1 / (1 + np.exp(-(xb @ weights)))
        right = int(((conf > lowest) & (y == 1)).sum())
        print(f"  {name:<7} lowest threshold with <= 1 false reuse: above {lowest:.3f} "
              f"(right reuse there: {right})")
    for name, weights in (("fitted", w), ("shipped", np.array([*(REUSE_MODEL[k] for k in FEATURES), REUSE_MODEL["bias"]]))):
        conf = 1 / (1 + np.exp(-(np.hstack([x, np.ones((len(x), 1))]) @ weights)))
        for t in (0.5, 0.6, 0.7, 0.8):
            reused = conf >= t
            right = int((reused & (y == 1)).sum())
            wanted = sum(want is not None for _, want, _, _ in data)
            false = int((reused & (y == 0)).sum())
            print(f"  {name:<7} threshold {t}: right reuse {right}/{wanted} = {right / wanted:.0%}, "
                  f"false reuse {false}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
