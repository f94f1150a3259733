"""Turn a labelled file of requests into retrieval metrics (Top-1, Top-3, MRR, Top-10 recall,
set recall@10, latency) and the list of misses, for ``mcp-sre eval retrieval`` and the benchmark.

File lines: ``{"query": ..., "provider": ..., "gold": [ids]}``, and for a request that needs
several operations ``"parts": [[ids], ...]``: one list of acceptable ids per operation it
needs (set recall@10 is the share of parts with an id in the top 10). A gold id is the Kubernetes
operationId, ``service:Operation`` for AWS (``ec2:DescribeInstances``), and the operation name
for any other provider; the full ``provider/service/operation`` id is accepted everywhere.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, Field
from pydantic import ValidationError as PydanticValidationError

from mcp_sre.errors import NotFoundError, ValidationError

if TYPE_CHECKING:
    from mcp_sre.retrieval.retriever import Retriever
    from mcp_sre.retrieval.searcher import SearchResult

__all__ = ["EvalCase", "EvalReport", "Miss", "evaluate", "gold_forms", "load_cases"]


class EvalCase(BaseModel):
    query: str = Field(description="The request")
    provider: str | None = Field(default=None, description="Provider filter, if any")
    gold: list[str] = Field(min_length=1, description="Acceptable operation ids")
    parts: list[list[str]] | None = Field(
        default=None, description="For a request that needs several operations: the acceptable "
        "ids of each one it needs (default: one part, the gold ids)")

    def needed(self) -> list[set[str]]:
        return [set(p) for p in self.parts if p] if self.parts else [set(self.gold)]


class Miss(BaseModel):
    query: str = Field(description="The request")
    gold: list[str] = Field(description="What was expected")
    got: list[str] = Field(description="Top results, in gold-id form")
    rank: int | None = Field(description="1-based rank of the first gold result in the top 10")
    parts_missing: list[list[str]] = Field(default_factory=list,
                                           description="Needed parts with no id in the top 10")


class EvalReport(BaseModel):
    n: int = Field(description="Cases evaluated")
    top1: float = Field(description="Share with a gold id first (0-1)")
    top3: float = Field(description="Share with a gold id in the first three (0-1)")
    mrr: float = Field(description="Mean reciprocal rank over the top 10 (0-1)")
    recall10: float = Field(default=0.0, description="Share with a gold id in the top 10 (0-1)")
    set_recall10: float = Field(default=0.0, description="Mean share of a case's needed parts "
                                "with an id in the top 10 (0-1; = recall10 without parts)")
    p50_ms: float = Field(description="Median search latency")
    p95_ms: float = Field(description="95th percentile search latency")
    mode: str = Field(default="rerank", description="Retrieval pipeline evaluated")
    misses: list[Miss] = Field(default_factory=list,
                               description="Cases whose first result is wrong or that miss a part")


def gold_forms(result: SearchResult) -> set[str]:
    """Every id form a label may use for ``result``: the full id, the operation, and
    ``service:operation`` (as a CLI names it: ec2:DescribeInstances)."""
    return {result.id, result.operation, f"{result.service}:{result.operation}"}


def load_cases(path: Path) -> list[EvalCase]:
    """Read a JSONL file of cases; a bad line is reported with its number."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise NotFoundError(f"cannot read evaluation file {path}: {exc.strerror or exc}") from exc
    cases = []
    for no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            cases.append(EvalCase.model_validate(json.loads(line)))
        except (json.JSONDecodeError, PydanticValidationError) as exc:
            raise ValidationError(
                f"{path}:{no}: not a valid case ({str(exc).splitlines()[0]})",
                hint='each line: {"query": "...", "provider": "...", "gold": ["service:Operation"]}',
            ) from exc
    if not cases:
        raise ValidationError(f"{path} holds no cases")
    return cases


def evaluate(
    retriever: Retriever,
    cases: list[EvalCase],
    *,
    mode: str = "rerank",
    use_provider: bool = True,
    top_k: int = 10,
    decompose: bool = False,
    reorder: Callable[[str, list[SearchResult], Callable[[str], list[SearchResult]]],
                      list[SearchResult]] | None = None,
) -> EvalReport:
    """Search every case and score the ranking (``decompose``: as ``search_apis`` does, each
    part of a multi-part request covered; ``reorder(request, results, search_more)``: a last
    stage such as the model's rerank, timed with the search, with ``search_more(words)`` the
    same search plus a model's API words)."""
    hits1 = hits3 = hits10 = 0
    rr_sum = set_sum = 0.0
    latencies: list[float] = []
    misses: list[Miss] = []
    for case in cases:
        started = time.perf_counter()
        def search(model_words: str | None = None, case: EvalCase = case) -> list[SearchResult]:
            return retriever.search(
                case.query, provider=case.provider if use_provider else None, top_k=top_k,
                mode=mode, decompose=decompose, model_words=model_words,  # type: ignore[arg-type]
            )

        results = search()
        if reorder is not None:
            results = reorder(case.query, results, search)
        latencies.append((time.perf_counter() - started) * 1000)
        gold = set(case.gold)
        rank = next((i for i, r in enumerate(results, 1) if gold_forms(r) & gold), None)
        hits1 += rank == 1
        hits3 += rank is not None and rank <= 3
        hits10 += rank is not None
        rr_sum += 1.0 / rank if rank else 0.0
        seen = set().union(*(gold_forms(r) for r in results[:10])) if results else set()
        needed = case.needed()
        missing = [sorted(p) for p in needed if not p & seen]
        set_sum += 1.0 - len(missing) / len(needed)
        if rank != 1 or missing:
            got = [f"{r.service}:{r.operation}" for r in results[:3]]
            misses.append(Miss(query=case.query, gold=case.gold, got=got, rank=rank,
                               parts_missing=missing if case.parts else []))
    n = len(cases)
    lat = np.array(latencies) if latencies else np.zeros(1)
    return EvalReport(
        n=n, top1=round(hits1 / n, 4), top3=round(hits3 / n, 4), mrr=round(rr_sum / n, 4),
        recall10=round(hits10 / n, 4), set_recall10=round(set_sum / n, 4),
        p50_ms=round(float(np.percentile(lat, 50)), 2), p95_ms=round(float(np.percentile(lat, 95)), 2),
        mode=mode if reorder is None else f"{mode}+llm", misses=misses,
    )
