"""Leave-one-provider-out fitting of the reranker (``fit_rerank.py --lopo``).

Training requests come from the specs themselves (``mcp_sre.retrieval.training``), for every
provider alike; each provider (and all APIs no vocabulary describes, as one group "added") is
held out in turn: weights fitted on the others' requests are compared with the hand weights on
the held-out provider's generated requests and on its real evaluation sets. What wins there is
what transfers to an API nobody tuned for.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from mcp_sre.retrieval.evaluate import EvalCase, load_cases
from mcp_sre.retrieval.rerank import RerankWeights
from mcp_sre.retrieval.training import generate

Rows = list[tuple[np.ndarray, np.ndarray]]
ADDED = "added"
MIXED = ("retrieval-dev", "retrieval-extra", "retrieval-sre2", "retrieval-sre3",
         "retrieval-sre4", "retrieval-sre5")


def group_of(provider: str | None, described: set[str]) -> str:
    return provider if provider in described else ADDED


def eval_sets(eval_dir: Path, shared: Path, toolalpaca: Path | None) -> dict[str, list[EvalCase]]:
    """Real evaluation sets, split so each holds one provider's requests."""
    out: dict[str, list[EvalCase]] = {}
    for name in MIXED:
        for case in load_cases(eval_dir / f"{name}.jsonl"):
            if case.provider:
                out.setdefault(f"{name}:{case.provider}", []).append(case)
    aws_cli = shared / "awscli-dev.jsonl"
    out["awscli-dev:aws"] = load_cases(aws_cli if aws_cli.exists() else eval_dir / aws_cli.name)
    for cloud in ("gcp", "azure", "volcengine"):
        out[f"retrieval-{cloud}:{cloud}"] = load_cases(eval_dir / f"retrieval-{cloud}.jsonl")
    if toolalpaca is not None and toolalpaca.exists():
        out[f"toolalpaca:{ADDED}"] = load_cases(toolalpaca)
    return out


def generated_sets(docs, vocab, described: set[str], exclude: set[str], per_provider: int,
                   seed: int, kinds: tuple[str, ...]) -> dict[str, list[EvalCase]]:
    out: dict[str, list[EvalCase]] = defaultdict(list)
    for case in generate(docs, vocab, per_provider=per_provider, seed=seed, exclude=exclude,
                         kinds=kinds):
        out[f"gen:{group_of(case.provider, described)}"].append(case)
    return dict(out)


def load_or_collect(name: str, cases: list[EvalCase], cache: Path | None, collect, retriever_fn
                    ) -> tuple[Rows, np.ndarray]:
    """Feature rows of ``cases`` (and whether each request's provider is described), from
    ``cache`` when it holds them for the same requests."""
    path = cache / f"{name.replace(':', '_')}.npz" if cache else None
    key = json.dumps([c.query for c in cases], ensure_ascii=False)
    if path is not None and path.exists():
        with np.load(path) as z:
            if str(z["key"]) == key:
                rows = [(z[f"x{i}"], z[f"y{i}"]) for i in range(int(z["n"]))]
                return rows, z["d"]
    retriever = retriever_fn()
    started = time.perf_counter()
    rows = collect(retriever, cases)
    index = retriever.current()
    described = set(index.providers[i] for i in np.unique(index.provider_of[index.described > 0]))
    d = np.array([c.provider in described for c in cases], bool)
    print(f"  features of {name}: {len(cases)} requests in {time.perf_counter() - started:.0f} s",
          flush=True)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = {f"x{i}": x for i, (x, _) in enumerate(rows)}
        arrays.update({f"y{i}": y for i, (_, y) in enumerate(rows)})
        np.savez_compressed(path, n=len(rows), d=d, key=np.array(key), **arrays)
    return rows, d


def model_metrics(rows: Rows, described: np.ndarray, model: dict, design) -> dict[str, float]:
    """Top-1/Top-3/recall@10 over the candidates, each request scored with the vector for its
    provider kind (``model``: w, spread, wu, spread_u)."""
    h1 = h3 = h10 = 0
    for (x, y), d in zip(rows, described, strict=True):
        w, spread = (model["w"], model["spread"]) if d else (model["wu"], model["spread_u"])
        s = design(x, spread) @ w
        order = np.argsort(-s, kind="stable")
        ranks = np.nonzero(y[order])[0]
        if ranks.size:
            r = int(ranks[0]) + 1
            h1 += r == 1
            h3 += r <= 3
            h10 += r <= 10
    n = max(len(rows), 1)
    return {"top1": h1 / n, "top3": h3 / n, "r10": h10 / n}


def hand_model() -> dict:
    w = RerankWeights()
    return {"w": w.vector(), "spread": w.dense_spread, "wu": w.vector(described=False),
            "spread_u": w.dense_spread_undescribed}


def run_lopo(data: dict[str, tuple[Rows, np.ndarray]], fit, design, *, undescribed_only: bool,
             spread: float, with_real: bool = False) -> list[dict]:
    """For each group: fit on the other groups' generated requests (each group weighted
    alike; ``with_real``: their real sets too, all of a group's as one more group), score
    hand and fitted weights on the group's generated and real sets."""
    groups = sorted(k.split(":", 1)[1] for k in data if k.startswith("gen:"))
    hand = hand_model()
    out = []
    for held in groups:
        train: Rows = []
        weights: list[float] = []
        for g in groups:
            if g == held:
                continue
            parts = [data[f"gen:{g}"][0]]
            if with_real:
                parts.append([r for k, (rows, _) in data.items()
                              if not k.startswith("gen:") and k.endswith(f":{g}") for r in rows])
            for rows in parts:
                usable = [r for r in rows if r[1].any()]
                train.extend(usable)
                weights.extend([1.0 / max(len(usable), 1)] * len(usable))
        started = time.perf_counter()
        w = fit(train, weights)
        fitted = dict(hand)
        if undescribed_only:  # only the vector for APIs users add changes
            fitted.update(wu=w, spread_u=spread)
        else:
            fitted.update(w=w, spread=spread, wu=w, spread_u=spread)
        print(f"  fold {held}: fitted on {len(train)} requests in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        for name, (rows, d) in data.items():
            if name.split(":", 1)[1] != held:
                continue
            out.append({"held_out": held, "set": name, "n": len(rows), "w": w,
                        "hand": model_metrics(rows, d, hand, design),
                        "fitted": model_metrics(rows, d, fitted, design)})
    return out


def print_table(rows: list[dict]) -> None:
    print(f"\n{'held out':<11} {'set':<26} {'n':>4}   {'hand T1/T3/R10':<20} {'fitted T1/T3/R10':<20} dT1")
    for r in rows:
        h, f = r["hand"], r["fitted"]
        print(f"{r['held_out']:<11} {r['set']:<26} {r['n']:>4}   "
              f"{h['top1']:.3f}/{h['top3']:.3f}/{h['r10']:.3f}  "
              f"{f['top1']:.3f}/{f['top3']:.3f}/{f['r10']:.3f}  {100 * (f['top1'] - h['top1']):+5.1f}")
