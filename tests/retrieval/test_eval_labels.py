"""The labelled request sets name operations that exist: a misspelt or renamed gold id
would silently count as a miss (or make a set unwinnable), so it fails here instead."""

from __future__ import annotations

import json
from functools import cache, lru_cache
from pathlib import Path

import botocore.session
import pytest

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "tests" / "fixtures" / "eval"
SETS = sorted(EVAL.glob("*.jsonl"))


@lru_cache(maxsize=1)
def _kubernetes_ops() -> frozenset[str]:
    swagger = json.loads((ROOT / "plugins" / "mcp_sre_kubernetes" / "specs" / "kubernetes-swagger.json").read_text("utf-8"))
    return frozenset(op["operationId"] for path in swagger["paths"].values()
                     for op in path.values() if isinstance(op, dict) and "operationId" in op)


@cache
def _aws_ops(service: str) -> frozenset[str]:
    try:
        return frozenset(botocore.session.get_session().get_service_model(service).operation_names)
    except Exception:  # unknown service: every id of it is reported below
        return frozenset()


def _exists(provider: str, gold: str) -> bool:
    if provider == "kubernetes":
        return gold in _kubernetes_ops()
    if provider == "aws":
        service, _, operation = gold.partition(":")
        return operation in _aws_ops(service)
    return True  # other providers' sets name operations only; nothing shipped to check


def test_the_held_out_set_ships() -> None:
    rows = [json.loads(line) for line in (EVAL / "retrieval-sre2.jsonl").read_text("utf-8").splitlines()]
    assert len(rows) == 60 and {r["provider"] for r in rows} == {"aws", "kubernetes"}


@pytest.mark.parametrize("path", SETS, ids=[p.stem for p in SETS])
def test_every_gold_id_exists_in_the_shipped_specs(path: Path) -> None:
    bad = []
    for no, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if line.strip():
            row = json.loads(line)
            bad += [f"{path.name}:{no}: {g}" for g in row["gold"]
                    if not _exists(row.get("provider") or "", g)]
    assert not bad, "gold ids that name no operation:\n" + "\n".join(bad)
