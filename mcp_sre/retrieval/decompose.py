"""Requests that need several operations: split one into its parts so the results cover each.

"列出CPU>80%的EC2实例" needs the instances *and* their CPU metric; "pod web-1 is in
CrashLoopBackOff" needs the pod, its log and its events. One ranking of the whole request puts
the instances' own operations (and their writes) first and never reaches the metric. Here a
request becomes: its clauses (split at separators, each carrying the lead clause as context),
a measurement part when it states a condition on a measurement ("CPU>80%") or names one, and
evidence parts (logs, events of the thing it is about) when it reports a failure. The words
are language data (``decompose.yaml``), never one cloud's names.

:func:`merge` interleaves the part rankings behind the whole request's first results and puts
reads before writes when the request asks for no change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from mcp_sre.retrieval.documents import has_cjk

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["Decomposer", "load_decomposer", "merge"]

DATA_FILE = Path(__file__).with_name("decompose.yaml")
MAX_PARTS = 5
KEEP_WHOLE = 3  # the whole request's first results stay first (a single-op request keeps them)


@dataclass(frozen=True, slots=True)
class Decomposer:
    separators: re.Pattern[str]
    comparison: re.Pattern[str]
    measurement_words: re.Pattern[str]
    measurement: str
    failure_words: re.Pattern[str]
    evidence: tuple[str, ...]

    def parts(self, request: str) -> list[tuple[str, str]]:
        """The extra searches ``request`` needs beyond itself (empty for a one-part request),
        each as (text, context): the context is what the request is about, for the searcher
        to add when the text names nothing itself ("check its status")."""
        text = " ".join(request.split())
        out: list[tuple[str, str]] = []
        cond = self.comparison.search(text)
        clauses = [c.strip() for c in self.separators.split(text) if c and c.strip()]
        subject = _subject(clauses[0] if clauses else text)
        if cond:  # "CPU>80% 的 EC2 实例": the measurement, and the things without the condition
            measure = _words_before(text, cond.start())
            out.append((f"{measure} {self.measurement}".strip(), ""))
            rest = (
                text[: cond.start()].removesuffix(measure)
                + " "
                + re.sub(r"^[\s\d.%]+(percent|%)?", " ", text[cond.end() :])
            ).strip()
            if rest:
                out.append((rest, ""))
        if len(clauses) > 1:
            out.append((clauses[0], ""))
            for clause in clauses[1:]:
                if self.measurement_words.search(clause):
                    clause = f"{clause} {self.measurement}"
                out.append((clause, subject))
        elif self.measurement_words.search(text) and not cond and _has_time(text):
            out.append((f"{text} {self.measurement}", ""))
        if subject and self.failure_words.search(text):  # a failure: its logs and its events
            out.extend((e.format(subject=subject), "") for e in self.evidence)
        seen = {text.lower()}
        unique = []
        for part, context in out:
            key = part.lower()
            if key not in seen and len(key) > 1:
                seen.add(key)
                unique.append((part, context))
        return unique[:MAX_PARTS]


_TIME = re.compile(
    r"(last|past|over|history|trend|since|hours?|minutes?|days?|week|过去|最近|小时|"
    r"分钟|天|历史|趋势|曲线|变化)",
    re.IGNORECASE,
)


def _has_time(text: str) -> bool:
    return bool(_TIME.search(text))


def _subject(clause: str) -> str:
    """What a clause is about, for the parts that lack it: its first words ("RDS instance
    orders-db is slow" -> "RDS instance orders-db"), up to the first word that reports."""
    tokens = re.findall(r"[A-Za-z0-9_.\-/]+|[\u4e00-\u9fff]+", clause)
    return " ".join(tokens[:3])


def _words_before(text: str, at: int) -> str:
    """The measurement named just before position ``at``: one or two words (a Latin word or
    a run of CJK characters)."""
    tokens = re.findall(r"[A-Za-z0-9_.\-]+|[\u4e00-\u9fff]+", text[:at])
    if not tokens:
        return ""
    last, prev = tokens[-1], tokens[-2] if len(tokens) > 1 else ""
    # "CPU 使用率": a Chinese measure of a Latin name; "disk io": a short word's qualifier
    if prev and not has_cjk(prev) and (has_cjk(last) or len(last) <= 3):
        return f"{prev} {last}"
    return last


def _alternation(words: Sequence[str]) -> re.Pattern[str]:
    alts = sorted({w.strip().lower() for w in words if w.strip()}, key=len, reverse=True)
    # a Latin word stands alone: "5xx" in "api-5xx-high" is a name, not a measurement
    body = "|".join(
        re.escape(w) if has_cjk(w) else rf"(?<![\w-]){re.escape(w)}(?![\w-])" for w in alts
    )
    return re.compile(body or r"(?!)", re.IGNORECASE)


@lru_cache(maxsize=4)
def load_decomposer(path: Path = DATA_FILE) -> Decomposer:
    data: dict[str, Any] = yaml.safe_load(path.read_text("utf-8")) or {}
    seps = sorted(data.get("separators", []), key=len, reverse=True)
    return Decomposer(
        separators=re.compile("|".join(re.escape(s) for s in seps) or r"(?!)", re.IGNORECASE),
        comparison=re.compile(data.get("comparison") or r"(?!)", re.IGNORECASE),
        measurement_words=_alternation(data.get("measurement_words", [])),
        measurement=str(data.get("measurement", "")),
        failure_words=_alternation(data.get("failure_words", [])),
        evidence=tuple(data.get("evidence", [])),
    )


def merge(whole: list[Any], parts: list[list[Any]], top_k: int, *, read_only: bool) -> list[Any]:
    """The whole request's first results, then the parts' best in turn, then the rest of the
    whole ranking; each result once. ``read_only``: after the whole request's first results,
    reads before writes (stable)."""
    out: list[Any] = []
    ids: set[str] = set()

    def take(r: Any) -> None:
        if r.id not in ids:
            ids.add(r.id)
            out.append(r)

    for r in whole[:KEEP_WHOLE]:
        take(r)
    depth = 0
    while len(out) < top_k and any(depth < len(p) for p in parts):
        for ranking in parts:
            if depth < len(ranking) and len(out) < top_k:
                take(ranking[depth])
        depth += 1
    for r in whole[KEEP_WHOLE:]:
        if len(out) >= top_k:
            break
        take(r)
    if read_only:  # behind the whole request's first results, which keep their order
        out[KEEP_WHOLE:] = sorted(out[KEEP_WHOLE:], key=lambda r: r.access != "read")
    return out[:top_k]
