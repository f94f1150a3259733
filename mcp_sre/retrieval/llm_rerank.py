"""The client's model as the last reranker: it reads the first few results with their
summaries and says which do what the request asks, best first.

Opt-in (``search_apis(llm_rerank=True)``, ``MCP_SRE_LLM_RERANK=1``, ``eval retrieval
--llm-rerank``) because it adds model calls to every search. Given the search itself
(``search_more``), it first asks the model for API words of its own and searches with them:
up to :data:`SEARCH_MORE` new results join the window, so a request worded as a symptom
("kubectl top says metrics not available") can reach an operation the keyword stages did not
rank. As many results come back as went in: the model's picks first, then the stage below's
order (an added result the model does not pick stays behind it), and any failure (no model, an
error, an answer naming no result) keeps that order and says why.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import anyio
from pydantic import BaseModel, Field

from mcp_sre.llm import Message
from mcp_sre.retrieval.rewrite import api_words, rewrite_prompt
from mcp_sre.retrieval.searcher import SearchResult

if TYPE_CHECKING:
    from mcp_sre.llm import LLM

__all__ = [
    "SEARCH_MORE",
    "WINDOW",
    "LLMRerankOutcome",
    "ModelRerankStage",
    "ModelRerankStats",
    "apply_choice",
    "llm_rerank",
    "parse_choice",
    "rerank_messages",
]

WINDOW = 10  # results shown to the model: what an assistant reading search_apis sees
SEARCH_MORE = 5  # results the model's own search words may add to the window
_SUMMARY_CHARS = 160
_SYSTEM = (
    "You rank API operations for a request from a site reliability engineer. You are shown the "
    "request and numbered candidate operations. Answer with the numbers of the operations that "
    "do what the request asks, best first, separated by commas (for example: 3, 1). Prefer "
    "operations that read over ones that change things unless the request asks for a change. "
    "Answer with numbers only."
)


class LLMRerankOutcome(BaseModel):
    """The reordered results and whether the model's answer was used."""

    results: list[SearchResult] = Field(description="Results, best first")
    applied: bool = Field(description="True when the model's choice reordered the window")
    note: str | None = Field(default=None, description="Why the stage below's order was kept")
    model: str = Field(default="", description="Model that answered, if known")
    added: int = Field(default=0, description="Results the model's own search words added "
                       "to the window")


def rerank_messages(request: str, results: list[SearchResult]) -> list[Message]:
    """The prompt: the request and the window's results, numbered from 1."""
    lines = []
    for i, r in enumerate(results, 1):
        summary = " ".join(r.summary.split())[:_SUMMARY_CHARS]
        lines.append(f"{i}. {r.id} [{r.access}] {r.method} {r.endpoint}"
                     + (f" -- {summary}" if summary else "")
                     + (f" (returns {', '.join(r.returns)})" if r.returns else ""))
    user = f"Request: {request}\n\nCandidate operations:\n" + "\n".join(lines)
    return [Message(role="system", content=_SYSTEM), Message(role="user", content=user)]


def parse_choice(text: str, n: int) -> list[int]:
    """The 0-based positions the answer names, in its order, once each, within 1..n.

    Tolerates prose and punctuation around the numbers; an operation id quoted instead of a
    number is not guessed at (numbers are what the prompt asks for)."""
    picked: list[int] = []
    for token in re.findall(r"(?<![\w.])(\d{1,3})(?!\w|\.\d)", text):
        pos = int(token) - 1
        if 0 <= pos < n and pos not in picked:
            picked.append(pos)
    return picked


def apply_choice(results: list[SearchResult], picked: list[int]) -> list[SearchResult]:
    """The picked results first, in the model's order, then the rest in their order; scores
    rewritten so they still fall with the rank."""
    order = picked + [i for i in range(len(results)) if i not in picked]
    top = max((r.score for r in results), default=0.0)
    out = []
    for rank, i in enumerate(order):
        score = top + (len(picked) - rank) * 1e-3 if rank < len(picked) else results[i].score
        out.append(results[i].model_copy(update={"score": round(score, 4)}))
    return out


async def _search_words(llm: LLM, request: str) -> str | None:
    """The API words the model would search for (None when it gives none or fails)."""
    try:
        reply = await llm.complete([Message(role="user", content=rewrite_prompt(request))],
                                   max_tokens=48, temperature=0.0)
    except Exception:  # optional: the rerank below still runs on the stage's own window
        return None
    return api_words(reply.text)


async def llm_rerank(llm: LLM, request: str, results: list[SearchResult], *,
                     window: int = WINDOW,
                     search_more: Callable[[str], list[SearchResult]] | None = None,
                     ) -> LLMRerankOutcome:
    """Ask ``llm`` to order the first ``window`` results; the rest stay behind them.
    ``search_more(words)``: the same search with the model's own API words for the request;
    its first results that the window lacks join it (up to :data:`SEARCH_MORE`); as many
    results come back as came in."""
    outcome = await _rerank(llm, request, results, window, search_more)
    outcome.results = outcome.results[:len(results)]
    return outcome


async def _rerank(llm: LLM, request: str, results: list[SearchResult], window: int,
                  search_more: Callable[[str], list[SearchResult]] | None) -> LLMRerankOutcome:
    added = 0
    if search_more is not None and (words := await _search_words(llm, request)):
        more = await anyio.to_thread.run_sync(search_more, words)
        held = {r.id for r in results[:window]}
        extra = [r for r in more[:window] if r.id not in held][:SEARCH_MORE]
        joined = {r.id for r in extra}
        results = results[:window] + extra + [r for r in results[window:] if r.id not in joined]
        window, added = window + len(extra), len(extra)
    shown, rest = results[:window], results[window:]
    if len(shown) < 2:
        return LLMRerankOutcome(results=results, applied=False, added=added,
                                note="nothing to choose between")
    try:
        reply = await llm.complete(rerank_messages(request, shown), max_tokens=32,
                                   temperature=0.0)
    except Exception as exc:  # an optional stage: any model failure keeps the order below
        return LLMRerankOutcome(results=results, applied=False, added=added,
                                note=f"model rerank skipped: {type(exc).__name__}: {exc}")
    picked = parse_choice(reply.text, len(shown))
    if not picked:
        return LLMRerankOutcome(results=results, applied=False, model=reply.model, added=added,
                                note="model rerank skipped: its answer named no candidate "
                                     f"({reply.text.strip()[:80]!r})")
    return LLMRerankOutcome(results=apply_choice(shown, picked) + rest, applied=True,
                            model=reply.model, added=added)


class ModelRerankStats(BaseModel):
    """How a model stage fared over an evaluation."""

    applied: int = Field(default=0, description="Requests whose order came from the model")
    skipped: int = Field(default=0, description="Requests that kept the order below, and why")
    widened: int = Field(default=0, description="Requests whose window gained results from "
                         "the model's own search words")
    first_note: str | None = Field(default=None, description="Why the first skip happened")
    model: str = Field(default="", description="Model that answered, if known")


class ModelRerankStage:
    """``(request, results) -> results`` for synchronous callers (``eval retrieval
    --llm-rerank``, benchmarks), counting how often the model's choice was used."""

    def __init__(self, llm: LLM, *, window: int = WINDOW) -> None:
        self.llm = llm
        self.window = window
        self.stats = ModelRerankStats()

    def __call__(self, request: str, results: list[SearchResult],
                 search_more: Callable[[str], list[SearchResult]] | None = None,
                 ) -> list[SearchResult]:
        outcome = anyio.run(lambda: llm_rerank(self.llm, request, results, window=self.window,
                                               search_more=search_more))
        self.stats.widened += outcome.added > 0
        if outcome.applied:
            self.stats.applied += 1
        else:
            self.stats.skipped += 1
            self.stats.first_note = self.stats.first_note or outcome.note
        self.stats.model = outcome.model or self.stats.model
        return outcome.results
