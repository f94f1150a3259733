"""Fit the linear reranker's weights (``RerankWeights``) on training requests that are not in
any evaluation set, and compare them with the hand-set weights on the dev sets.

Training data: the example titles botocore ships (``botocore/data/<service>/<version>/
examples-1.json``: "To describe an instance" -> ec2:DescribeInstances) plus
``tests/fixtures/eval/retrieval-extra.jsonl`` (SRE requests). Every example whose title
(case-insensitive, stripped) is also a query of an evaluation file is excluded, so nothing
is fitted on a dev query.

    python benchmarks/fit_rerank.py                  # collect features, fit, print weights
    python benchmarks/fit_rerank.py --cache /tmp/f   # reuse collected features (same code)
    python benchmarks/fit_rerank.py --lopo --cache /tmp/f   # leave one provider out (below)

``--lopo``: training requests generated from every provider's specs
(``mcp_sre.retrieval.training``); each provider in turn (and the APIs no vocabulary
describes, ToolAlpaca's among them, as "added") is left out of the fit, and hand vs fitted
weights are scored on its generated requests and its real evaluation sets (see lopo.py).

Method: pairwise logistic regression (gold vs. each other candidate of the same request,
L2-regularised, numpy gradient descent), then coordinate ascent on the training MRR starting
from it. Few features, one weight each: the dev figures show whether that overfits.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mcp_sre.config import load_settings  # noqa: E402
from mcp_sre.retrieval.candidates import N_CANDIDATES, candidates  # noqa: E402
from mcp_sre.retrieval.evaluate import EvalCase, load_cases  # noqa: E402
from mcp_sre.retrieval.fusion import top_k  # noqa: E402
from mcp_sre.retrieval.rerank import FEATURE_NAMES, RerankWeights  # noqa: E402
from mcp_sre.retrieval.retriever import Retriever  # noqa: E402
from mcp_sre.retrieval.searcher import FIELD_WEIGHTS  # noqa: E402
from mcp_sre.retrieval.training import KINDS  # noqa: E402

EVAL = ROOT / "tests/fixtures/eval"
DEV_SETS = [EVAL / "retrieval-dev.jsonl", EVAL / "awscli-dev.jsonl"]
EXTRA = EVAL / "retrieval-extra.jsonl"
# Weights never fitted: the scale is fixed by the keyword score.
FIXED = ("lexical",)


def botocore_titles() -> set[str]:
    """Every botocore example title, lower-cased (to tell which dev queries coincide)."""
    cases, _ = botocore_examples(set())
    return {c.query.lower() for c in cases}


def botocore_examples(exclude: set[str]) -> tuple[list[EvalCase], int]:
    """One case per botocore example title (gold: its operation); titles in ``exclude``
    (lower-cased, stripped) are left out. Returns the cases and how many were excluded."""
    import botocore

    data = Path(botocore.__file__).parent / "data"
    cases: dict[str, set[str]] = {}
    excluded = 0
    for path in sorted(data.glob("*/*/examples-1.json*")):
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        service = path.parent.parent.name
        for op, examples in (json.loads(raw).get("examples") or {}).items():
            for ex in examples or []:
                title = " ".join(str(ex.get("title") or "").split())
                if not title:
                    continue
                if title.lower() in exclude:
                    excluded += 1
                    continue
                cases.setdefault(title, set()).add(f"{service}:{op}")
    out = [EvalCase(query=t, provider="aws", gold=sorted(g)) for t, g in cases.items()]
    return out, excluded


def eval_titles() -> set[str]:
    titles: set[str] = set()
    for path in sorted(EVAL.glob("*.jsonl")):
        if path == EXTRA:
            continue
        titles.update(" ".join(c.query.split()).lower() for c in load_cases(path))
    return titles


def collect(retriever: Retriever, cases: list[EvalCase]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per case: the candidates' feature matrix (dense column at spread 1, i.e. the raw gap
    kept aside) and which candidates are gold."""
    searcher = retriever.searcher
    index = retriever.current()
    rewriter = searcher.rewriter_for(index)
    out = []
    for case in cases:
        mask = searcher._mask(index, case.provider, None)
        q = rewriter.rewrite(case.query)
        lexical = index.bm25.scores(q.terms, FIELD_WEIGHTS)
        dense = searcher._dense_scores(index, q, mask)
        lex_c = top_k(lexical, N_CANDIDATES, mask)
        cands, fused, coverage = candidates(index, q, mask, lexical, dense, lex_c)
        feats = searcher.reranker.features(index, q, cands, lexical, dense, fused, coverage)
        x = feats.matrix(1.0)
        x[:, FEATURE_NAMES.index("dense")] = feats.dense_gap  # the gap itself; spread applied later
        gold = set(case.gold)
        y = np.array([bool(_forms(index.docs[int(c)]) & gold) for c in feats.candidates])
        out.append((x.astype(np.float32), y))
    return out


def _forms(doc) -> set[str]:
    """The id forms a label may use (as ``evaluate.gold_forms``)."""
    return {doc.id, doc.name, f"{doc.service}:{doc.name}"}


def design(x: np.ndarray, spread: float) -> np.ndarray:
    x = x.astype(np.float64, copy=True)
    j = FEATURE_NAMES.index("dense")
    x[:, j] = np.clip(1.0 - x[:, j] / spread, 0.0, 1.0)
    return x


def metrics(data: list[tuple[np.ndarray, np.ndarray]], w: np.ndarray, spread: float) -> dict[str, float]:
    h1 = h3 = 0
    rr = 0.0
    for x, y in data:
        s = design(x, spread) @ w
        order = np.argsort(-s, kind="stable")
        ranks = np.nonzero(y[order])[0]
        rank = int(ranks[0]) + 1 if ranks.size else None
        if rank is not None and rank <= 10:
            h1 += rank == 1
            h3 += rank <= 3
            rr += 1.0 / rank
    n = max(len(data), 1)
    return {"top1": h1 / n, "top3": h3 / n, "mrr": rr / n}


def fit_pairwise(
    data: list[tuple[np.ndarray, np.ndarray]], w0: np.ndarray, spread: float, *, l2: float = 0.01,
    hard: int = 30, steps: int = 400, lr: float = 0.5, weights: list[float] | None = None,
) -> np.ndarray:
    """Pairwise logistic regression: the best-scored gold against the ``hard`` best-scored
    non-gold candidates of each request (re-chosen every 50 steps), L2 towards ``w0``."""
    free = np.array([n not in FIXED for n in FEATURE_NAMES])
    w = w0.copy()
    sample_w = weights or [1.0] * len(data)
    for step in range(steps):
        if step % 50 == 0:
            diffs, dw = [], []
            for (x, y), sw in zip(data, sample_w, strict=True):
                if not y.any() or y.all():
                    continue
                d = design(x, spread)
                s = d @ w
                g = d[np.nonzero(y)[0][np.argmax(s[y])]]
                neg = np.nonzero(~y)[0]
                neg = neg[np.argsort(-s[neg])[:hard]]
                diffs.append(g - d[neg])
                dw.append(np.full(len(neg), sw / len(neg)))
            D = np.concatenate(diffs)
            DW = np.concatenate(dw)
        margin = D @ w
        p = 1.0 / (1.0 + np.exp(np.clip(margin, -30, 30)))  # d loss / d margin = -p
        grad = -(D * (p * DW)[:, None]).sum(0) / DW.sum() + l2 * (w - w0)
        w = w - (lr / max(1.0, l2)) * grad * free  # a stable step for any l2
    return w


def coordinate_ascent(
    data: list[tuple[np.ndarray, np.ndarray]], w0: np.ndarray, spread: float, *, rounds: int = 3,
) -> np.ndarray:
    """Greedy per-weight line search on training MRR (+ Top-1), a few rounds."""
    w = w0.copy()

    def objective(v: np.ndarray) -> float:
        m = metrics(data, v, spread)
        return m["mrr"] + 0.5 * m["top1"]

    best = objective(w)
    for _ in range(rounds):
        improved = False
        for j, name in enumerate(FEATURE_NAMES):
            if name in FIXED:
                continue
            for delta in (-0.2, -0.1, -0.05, 0.05, 0.1, 0.2):
                v = w.copy()
                v[j] = max(0.0, v[j] + delta) if name != "penalty" else v[j] + delta
                score = objective(v)
                if score > best + 1e-9:
                    best, w, improved = score, v, True
        if not improved:
            break
    return w


def _fmt(m: dict[str, float]) -> str:
    return f"top1 {m['top1']:.3f}  top3 {m['top3']:.3f}  mrr {m['mrr']:.3f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cache", type=Path, help="store/reuse collected features in this folder")
    ap.add_argument("--spread", type=float, default=RerankWeights().dense_spread)
    ap.add_argument("--l2", type=float, default=0.01)
    ap.add_argument("--no-ascent", action="store_true", help="logistic regression only")
    ap.add_argument("--try", dest="trial", default="",
                    help="only score the hand weights with these changes, e.g. examples=0.5")
    ap.add_argument("--sets", default="", help="collect only these sets (comma-separated)")
    ap.add_argument("--fix", default="", help="comma-separated weights to keep as set by hand")
    ap.add_argument("--extra-weight", type=float, default=10.0,
                    help="weight of one retrieval-extra request relative to one title")
    ap.add_argument("--lopo", action="store_true", help="leave-one-provider-out table")
    ap.add_argument("--per-provider", type=int, default=120,
                    help="--lopo: generated requests per provider")
    ap.add_argument("--seed", type=int, default=0, help="--lopo: sampling seed")
    ap.add_argument("--with-real", action="store_true",
                    help="--lopo: also fit on the other providers' real evaluation sets")
    ap.add_argument("--kinds", default=",".join(KINDS),
                    help="--lopo: which generated request kinds (training.KINDS)")
    ap.add_argument("--undescribed-only", action="store_true",
                    help="--lopo: fit only the vector for providers no vocabulary describes")
    args = ap.parse_args()
    global FIXED
    FIXED = ("lexical", *[n for n in args.fix.split(",") if n])
    if args.lopo:
        return lopo_main(args)

    exclude = eval_titles()
    train_cases, excluded = botocore_examples(exclude)
    extra = load_cases(EXTRA)
    print(f"training: {len(train_cases)} botocore example titles ({excluded} excluded: their "
          f"title is an evaluation query) + {len(extra)} retrieval-extra requests")
    sets = {"train-botocore": train_cases, "train-extra": extra}
    sets.update({p.stem: load_cases(p) for p in DEV_SETS})
    if args.sets:
        sets = {k: v for k, v in sets.items() if k in args.sets.split(",")}
    data: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    retriever = None
    for name, cases in sets.items():
        path = args.cache / f"{name}.npz" if args.cache else None
        if path is not None and path.exists():
            with np.load(path) as z:
                data[name] = [(z[f"x{i}"], z[f"y{i}"]) for i in range(int(z["n"]))]
            continue
        if retriever is None:
            retriever = Retriever(load_settings())
            retriever.ensure_index()
            retriever.wait_for_dense()
        started = time.perf_counter()
        data[name] = collect(retriever, cases)
        print(f"  features of {name}: {len(cases)} requests in {time.perf_counter() - started:.0f} s")
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            arrays = {f"x{i}": x for i, (x, _) in enumerate(data[name])}
            arrays.update({f"y{i}": y for i, (_, y) in enumerate(data[name])})
            np.savez_compressed(path, n=len(data[name]), **arrays)
    recall = {k: sum(bool(y.any()) for _, y in v) / len(v) for k, v in data.items()}
    print("gold among candidates: " + ", ".join(f"{k} {v:.3f}" for k, v in recall.items()))

    # awscli-dev without the queries that are also botocore example titles: the honest
    # figure once example titles are indexed
    shipped = botocore_titles()
    aws_cases = sets.get("awscli-dev", [])
    data["awscli-dev-270"] = [row for row, c in zip(data.get("awscli-dev", []), aws_cases,
                                                    strict=True)
                              if " ".join(c.query.split()).lower() not in shipped]
    if args.trial:
        trial = RerankWeights(**{k: float(v) for k, v in
                                 (kv.split("=") for kv in args.trial.split(","))})
        for name, rows in data.items():
            for label, w in (("hand", RerankWeights()), ("trial", trial)):
                print(f"{name:<15} {label:<7} {_fmt(metrics(rows, w.vector(), w.dense_spread))}")
        return 0
    train = data["train-botocore"] + data["train-extra"]
    # the 30 SRE requests stand for the server's real traffic: count them as much as 300 titles
    sample_w = [1.0] * len(data["train-botocore"]) + [args.extra_weight] * len(data["train-extra"])
    hand = RerankWeights().vector()
    lr = fit_pairwise(train, hand, args.spread, l2=args.l2, weights=sample_w)
    fitted = lr if args.no_ascent else coordinate_ascent(train, lr, args.spread)
    print(f"\n{'feature':<13} {'hand':>7} {'logreg':>7} {'fitted':>7}")
    for j, n in enumerate(FEATURE_NAMES):
        print(f"{n:<13} {hand[j]:>7.3f} {lr[j]:>7.3f} {fitted[j]:>7.3f}")
    print()
    for name, rows in data.items():
        for label, w in (("hand", hand), ("logreg", lr), ("fitted", fitted)):
            print(f"{name:<15} {label:<7} {_fmt(metrics(rows, w, args.spread))}")
    print("\nRerankWeights(" + ", ".join(
        f"{n}={round(float(v), 3)}" for n, v in zip(FEATURE_NAMES, fitted, strict=True)) + ")")
    return 0


def lopo_main(args: argparse.Namespace) -> int:
    import os

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import lopo

    settings = load_settings()
    ta = settings.home / "toolalpaca" / "toolalpaca.jsonl"
    if not ta.exists() and not os.environ.get("FIT_NO_TOOLALPACA"):
        from toolalpaca import add_toolalpaca

        ta = add_toolalpaca(settings, settings.home / "toolalpaca")
        settings = load_settings(home=settings.home)
    held: list[Retriever] = []

    def retriever() -> Retriever:
        if not held:
            r = Retriever(settings)
            r.ensure_index()
            r.wait_for_dense()
            held.append(r)
        return held[0]

    real = lopo.eval_sets(EVAL, Path("/work/shared/eval"), ta)
    exclude = {" ".join(c.query.split()).lower() for cases in real.values() for c in cases}
    exclude |= eval_titles()
    r = retriever()
    index = r.current()
    described = {index.providers[i] for i in np.unique(index.provider_of[index.described > 0])}
    gen = lopo.generated_sets(index.docs, r.vocabulary, described, exclude, args.per_provider,
                              args.seed, tuple(args.kinds.split(",")))
    print("generated: " + ", ".join(f"{k} {len(v)}" for k, v in sorted(gen.items())))
    data = {name: lopo.load_or_collect(name, cases, args.cache, collect, retriever)
            for name, cases in {**gen, **real}.items()}
    hand = RerankWeights().vector()

    def fit(train, weights):
        w = fit_pairwise(train, hand, args.spread, l2=args.l2, weights=weights)
        return w if args.no_ascent else coordinate_ascent(train, w, args.spread)

    rows = lopo.run_lopo(data, fit, design, undescribed_only=args.undescribed_only,
                         spread=args.spread, with_real=args.with_real)
    lopo.print_table(rows)
    print(f"\n{'feature':<13} {'hand':>7} " + " ".join(
        f"{g[:7]:>7}" for g in dict.fromkeys(r["held_out"] for r in rows)))
    folds = {r["held_out"]: r["w"] for r in rows}
    for j, n in enumerate(FEATURE_NAMES):
        print(f"{n:<13} {hand[j]:>7.3f} " + " ".join(f"{w[j]:>7.3f}" for w in folds.values()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
