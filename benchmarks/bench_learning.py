"""Does learning from feedback help, without overfitting? Split the labelled retrieval
requests by what they ask for; feed part A's failures, with their corrections, as feedback;
then measure part A's *paraphrases* (other requests, in other words, for the same operation --
never the ones fed) and part B (requests for other operations, which must not get worse).

    python benchmarks/bench_learning.py [--json] [--sets tests/fixtures/eval]

* Groups: requests with the same gold operations, across every retrieval set; a group with at
  least two requests gives one *fed* request (the first) and its *paraphrases* (the rest).
  Groups go to A or B by a hash of their gold ids (fixed; about half each). B also holds every
  request whose operation no other request asks for.
* Feeding: the fed request is searched with learning on; when its first result is wrong,
  ``feedback(ref, "wrong", correction=<gold operation>)``; when right, ``feedback(ref,
  "right")`` -- what a user of ``search_apis`` would do.
* Targets: A's paraphrases that failed before gain >= 15 points Top-1; B drops <= 1 point.
* `--split 1` swaps the halves: a held-out check of anything tuned on split 0.

Runs on your default index (MCP_SRE_HOME) read-only; lessons live in a temporary store.

``--diagnosis``: the same on the diagnosis case folders (``diagnosis*``): part A's diagnoses
get feedback (right, or wrong with the expected root cause), which reweighs their root rules;
then every case runs again. Target: part B's accuracy does not drop (and A's failures, if
any, are fixed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def groups_of(cases: list[Any]) -> dict[frozenset[str], list[Any]]:
    groups: dict[frozenset[str], list[Any]] = {}
    seen: set[str] = set()
    for case in cases:
        if case.parts or case.query in seen:
            continue
        seen.add(case.query)
        groups.setdefault(frozenset(case.gold), []).append(case)
    return groups


def in_a(gold: frozenset[str], split: int = 0) -> bool:
    return hashlib.sha1("|".join(sorted(gold)).encode()).digest()[0] % 2 == split


def top1(retriever: Any, cases: list[Any]) -> list[bool]:
    from mcp_sre.retrieval.evaluate import gold_forms

    hits = []
    for case in cases:
        results = retriever.search(case.query, provider=case.provider, top_k=10)
        hits.append(bool(results) and bool(gold_forms(results[0]) & set(case.gold)))
    return hits


def diagnosis_experiment(sets: Path, split: int) -> dict[str, Any]:
    """Feed part A's diagnoses back, rerun every case; accuracy per part before and after."""
    from mcp_sre.agents.diagnosis import build_diagnoser
    from mcp_sre.agents.diagnosis.evaluate import evaluate_cases
    from mcp_sre.learning import FailureStore, Learner

    diagnoser = build_diagnoser()
    pm = diagnoser.sandbox.pm
    roots: list[str] = []
    plain = diagnoser.diagnose

    def recording(*args: Any, **kwargs: Any) -> Any:
        report = plain(*args, **kwargs)
        roots.append(report.root_rule)
        return report

    diagnoser.diagnose = recording  # type: ignore[method-assign]

    def run_all() -> dict[str, tuple[bool, str, str]]:
        out = {}
        for folder in sorted(p for p in sets.glob("diagnosis*") if p.is_dir()):
            roots.clear()
            report = evaluate_cases(folder, diagnoser, lambda c: pm.hook.replay_cluster(
                folder=c))
            for case, root in zip(report.cases, roots, strict=False):
                out[f"{folder.name}/{case.name}"] = (case.passed, root, case.root_cause)
        return out

    before = run_all()
    part_a = {k for k in before if hashlib.sha1(k.encode()).digest()[0] % 2 == split}
    with tempfile.TemporaryDirectory() as tmp:
        learner = Learner(FailureStore(Path(tmp) / "failures.sqlite"))
        for key in sorted(part_a):
            passed, root, _ = before[key]
            ref = learner.record("diagnosis", key, {"signals": [root] if root else []}, "d")
            learner.feedback(ref, "right" if passed else "wrong",
                             None if passed else "expected root cause (see case.yaml)")
        diagnoser.evidence_weight = lambda rule: learner.evidence_weight("diagnosis", rule)
        after = run_all()
        learner.store.close()

    def acc(run: dict[str, tuple[bool, str, str]], keys: set[str]) -> float:
        return round(sum(run[k][0] for k in keys) / len(keys), 3) if keys else 0.0

    part_b = set(before) - part_a
    return {"cases": len(before), "a": {"n": len(part_a), "before": acc(before, part_a),
                                        "after": acc(after, part_a)},
            "b": {"n": len(part_b), "before": acc(before, part_b), "after": acc(after, part_b)},
            "a_failed_before": sum(not before[k][0] for k in part_a)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--sets", type=Path, default=ROOT / "tests" / "fixtures" / "eval")
    parser.add_argument("--split", type=int, choices=[0, 1], default=0,
                        help="Which half of the groups is A (1: the other half, a held-out "
                        "check of anything tuned on 0)")
    parser.add_argument("--diagnosis", action="store_true",
                        help="Run the experiment on the diagnosis cases instead")
    args = parser.parse_args(argv)
    if args.diagnosis:
        found = diagnosis_experiment(args.sets, args.split)
        print(json.dumps(found, indent=2))
        return 0 if found["b"]["after"] >= found["b"]["before"] - 0.01 else 1

    from mcp_sre.config import load_settings
    from mcp_sre.learning import FailureStore, Learner
    from mcp_sre.retrieval.evaluate import load_cases
    from mcp_sre.retrieval.retriever import Retriever

    started = time.perf_counter()
    files = sorted(args.sets.glob("retrieval-*.jsonl")) + sorted(args.sets.glob("awscli-*.jsonl"))
    cases = [c for f in files for c in load_cases(f)]
    groups = groups_of(cases)
    fed, paraphrases, part_b = [], [], []
    for gold, members in groups.items():
        if len(members) >= 2 and in_a(gold, args.split):
            fed.append(members[0])
            paraphrases.extend(members[1:])
        else:
            part_b.extend(members)

    retriever = Retriever(load_settings())
    retriever.ensure_index(wait_dense=True)
    ids = {}
    for doc in retriever.current().docs:
        for form in (doc.id, doc.name, f"{doc.service}:{doc.name}"):
            ids.setdefault(form, doc.id)
    before_p, before_b = top1(retriever, paraphrases), top1(retriever, part_b)

    with tempfile.TemporaryDirectory() as tmp:
        learner = Learner(FailureStore(Path(tmp) / "failures.sqlite"),
                          known=lambda op: op in ids.values() or op in ids)
        learner.implicit = False  # explicit feedback only: fed requests are not retries
        retriever.searcher.learner = learner
        corrected = 0
        for case in fed:
            results = retriever.search(case.query, provider=case.provider, top_k=10)
            right = results and results[0].id in {ids.get(g) for g in case.gold}
            if right:
                learner.feedback(results[0].ref, "right")
            else:
                learner.feedback(results[0].ref, "wrong", correction=ids.get(case.gold[0]))
                corrected += 1
        after_p, after_b = top1(retriever, paraphrases), top1(retriever, part_b)
        lessons = len(learner.store.lessons())
        learner.store.close()

    failed = [i for i, ok in enumerate(before_p) if not ok]

    def rate(xs: list[bool]) -> float:
        return round(sum(xs) / len(xs), 3) if xs else 0.0

    report = {
        "split": args.split, "sets": [f.name for f in files], "groups": len(groups), "fed": len(fed),
        "fed_corrected": corrected, "lessons": lessons,
        "a_paraphrases": {"n": len(paraphrases), "top1_before": rate(before_p),
                          "top1_after": rate(after_p)},
        "a_failed_before": {"n": len(failed), "top1_before": 0.0,
                            "top1_after": rate([after_p[i] for i in failed])},
        "a_regressed": sum(b and not a for b, a in zip(before_p, after_p, strict=True)),
        "b": {"n": len(part_b), "top1_before": rate(before_b), "top1_after": rate(after_b)},
        "wall_s": round(time.perf_counter() - started, 1),
    }
    report["targets"] = {
        "a_failed_gain_ge_15pts": report["a_failed_before"]["top1_after"] >= 0.15,
        "b_drop_le_1pt": report["b"]["top1_before"] - report["b"]["top1_after"] <= 0.01 + 1e-9,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        p, f, b = report["a_paraphrases"], report["a_failed_before"], report["b"]
        print(f"fed {len(fed)} requests ({corrected} corrected), {lessons} lessons")
        print(f"A paraphrases  n={p['n']:<4} top1 {p['top1_before']:.3f} -> {p['top1_after']:.3f}"
              f"  (regressed: {report['a_regressed']})")
        print(f"A failed before n={f['n']:<3} top1 0.000 -> {f['top1_after']:.3f}")
        print(f"B              n={b['n']:<4} top1 {b['top1_before']:.3f} -> {b['top1_after']:.3f}")
        print(f"targets: {report['targets']}  ({report['wall_s']} s)")
    return 0 if all(report["targets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
