"""Turning feedback into lessons, and lessons into better answers.

* Retrieval: a request -> operation pair boosts that operation for *similar* requests (same
  rewritten terms, or close embeddings), with decay (half-life ``HALF_LIFE_DAYS``) and a cap;
  a wrong first result without a correction, or a retried search, demotes it a little.
* Code generation: error -> fix notes attached to an operation, put in the next context pack.
* Tools: the requests a tool answered, appended to its description.
* Evidence: a diagnosis or health signal a person marked wrong/right changes its weight.

Lessons never touch the policy: they reorder and annotate, nothing more; a learned boost of a
write operation applies only to requests that ask for a write. A lesson naming an operation no
spec has is ignored (and logged), and ``MCP_SRE_LEARNING=0`` turns all of it off.
"""

from __future__ import annotations

import logging
import math
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from mcp_sre.errors import NotFoundError, ValidationError
from mcp_sre.learning.store import Event, FailureStore, Lesson

__all__ = ["VERDICTS", "Learner", "learner_from_settings", "learning_enabled"]

log = logging.getLogger("mcp_sre.learning")

VERDICTS = ("right", "wrong")
HALF_LIFE_DAYS = 90.0
CAP = 1.0               # most weight one lesson (or all lessons on one operation) can carry
MIN_SIMILARITY = 0.5    # below this a lesson does not apply
RETRY_WINDOW_S = 120.0  # a similar search this soon after another: the first one missed
CALL_WINDOW_S = 1800.0  # a search this recent whose operation the code then called: it helped
WEAK = 0.3              # weight of implicit feedback (explicit feedback is 1.0)
CONFIRM = 0.5           # weight of "right" on a search (it changes no ranking of its own)


def learning_enabled() -> bool:
    return os.environ.get("MCP_SRE_LEARNING", "1").strip().lower() not in {"0", "false", "no",
                                                                          "off"}


def learner_from_settings(settings: Any, known: Callable[[str], bool] | None = None,
                          ) -> Learner | None:
    """The user's learner (``$MCP_SRE_HOME/learning/failures.sqlite``), None when off."""
    if not learning_enabled():
        return None
    return Learner(FailureStore(Path(settings.home) / "learning" / "failures.sqlite"),
                   known=known)


def _new_ref(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


def _terms(q: Any) -> dict[str, float]:
    return {k: float(v) for k, v in (getattr(q, "terms", None) or {}).items()}


def term_similarity(a: dict[str, float], b: dict[str, float]) -> float:
    """Weighted cosine of two rewritten-term bags (0-1)."""
    if not a or not b:
        return 0.0
    dot = sum(w * b[t] for t, w in a.items() if t in b)
    na = math.sqrt(sum(w * w for w in a.values()))
    nb = math.sqrt(sum(w * w for w in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def vector_similarity(a: list[float] | None, b: Any) -> float:
    """e5 cosines sit high (0.82 between unrelated requests, 0.89 between requests for
    neighbouring operations); rescale 0.90..0.96 onto 0..1, so only near-paraphrases count."""
    if a is None or b is None:
        return 0.0
    cos = float(np.dot(np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)))
    return max(0.0, min(1.0, (cos - 0.90) / 0.06))


def strength(sim: float) -> float:
    """How much of a lesson applies: nothing at the similarity threshold (no cliff), all of
    it halfway between the threshold and an identical request."""
    return max(0.0, min(1.0, 2 * (sim - MIN_SIMILARITY) / (1 - MIN_SIMILARITY)))


class Learner:
    """Records events, takes feedback, derives lessons, and applies them (the seams call
    :meth:`adjust`, :meth:`notes_for`, :meth:`answered_requests`). ``known(op_id)`` says
    whether an operation exists in some spec (lessons naming others are ignored)."""

    def __init__(self, store: FailureStore, *, known: Callable[[str], bool] | None = None,
                 now: Callable[[], float] = time.time) -> None:
        self.store = store
        self.known = known
        self.now = now
        self._cache: tuple[int, list[Lesson]] | None = None
        self._ignored: set[str] = set()
        self.implicit = True  # retried searches teach (off while measuring)

    # ------------------------------------------------------------------- events
    def record_search(self, query: str, provider: str | None, q: Any, top: list[str],
                      vector: Any = None) -> str | None:
        """Remember a search; a similar one shortly before it missed (weak negative)."""
        try:
            now = self.now()
            terms = _terms(q)
            recent = self.store.recent_events("search", now - RETRY_WINDOW_S) if self.implicit \
                else []
            for prev in recent:
                if prev.request != query and prev.payload.get("top") and term_similarity(
                        terms, prev.payload.get("terms", {})) >= MIN_SIMILARITY:
                    self._learn_retrieval(prev, prev.payload["top"][0], -WEAK, "retried search")
                    break
            ref = _new_ref("s")
            payload = {"provider": provider, "top": top[:10], "terms": terms,
                       "vector": [round(float(x), 5) for x in vector] if vector is not None
                       else None, "write": bool(getattr(q, "intents", set()) & _write_intents())}
            self.store.add_event(Event(ref=ref, kind="search", created=now, request=query,
                                       payload=payload))
            return ref
        except Exception as exc:  # learning must never fail a search
            log.warning("learning: cannot record a search: %s", exc)
            return None

    def record(self, kind: str, request: str, payload: dict[str, Any],
               prefix: str = "r") -> str | None:
        """Remember a run, diagnosis, health report or tool call; returns its ref."""
        try:
            ref = _new_ref(prefix)
            self.store.add_event(Event(ref=ref, kind=kind, created=self.now(), request=request,
                                       payload=payload))
            return ref
        except Exception as exc:
            log.warning("learning: cannot record %s: %s", kind, exc)
            return None

    def record_calls(self, called: list[str]) -> int:
        """Implicit positive: generated code called ``called`` successfully; each recent search
        that listed one of them taught request -> that operation. Returns lessons touched."""
        touched = 0
        try:
            for prev in self.store.recent_events("search", self.now() - CALL_WINDOW_S):
                for op in called:
                    if op in prev.payload.get("top", []):
                        self._learn_retrieval(prev, op, WEAK, "its code called it")
                        touched += 1
        except Exception as exc:
            log.warning("learning: cannot record calls: %s", exc)
        return touched

    # ------------------------------------------------------------------ feedback
    def feedback(self, ref: str, verdict: str, correction: str | None = None) -> dict[str, Any]:
        """A person's verdict on ``ref``; ``correction``: the right operation (search), the
        right root cause (diagnosis), or the fix (run). Returns what was learned."""
        if verdict not in VERDICTS:
            raise ValidationError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
        event = self.store.event(ref)
        if event is None:
            raise NotFoundError(f"unknown reference {ref!r}",
                                hint="pass the ref a search, run, diagnosis or tool call "
                                "returned (s-..., r-..., d-..., t-..., h-...)")
        self.store.add_feedback(ref, verdict, correction, 1.0, "explicit")
        learned: list[Lesson] = []
        ignored = None
        if event.kind == "search":
            top = event.payload.get("top") or []
            if verdict == "right" and top:  # a confirmation: weaker than a correction
                learned.append(self._learn_retrieval(event, correction or top[0], CONFIRM,
                                                     "right"))
            elif verdict == "wrong":
                if correction:
                    lesson = self._learn_retrieval(event, correction, 1.0, "correction")
                    if lesson is None:
                        ignored = f"{correction!r} is not an operation of any spec"
                    learned.append(lesson)
                if top and top[0] != correction:
                    learned.append(self._learn_retrieval(event, top[0], -0.5, "marked wrong"))
        elif event.kind in {"diagnosis", "health"}:
            for signal in event.payload.get("signals", []):
                learned.append(self.store.upsert_lesson(
                    "evidence", event.kind, signal, 0.2 if verdict == "right" else -0.2,
                    note=correction or "", source_ref=ref))
        elif event.kind == "tool_call":  # find_tool: the tool that answers this request
            tool = correction if verdict == "wrong" else event.payload.get("tool")
            if tool:
                learned.append(self.store.upsert_lesson("tool", event.request, tool, 1.0,
                                                        source_ref=ref))
        elif event.kind == "run" and correction:
            for op in event.payload.get("operations", []):
                learned.append(self.store.upsert_lesson(
                    "codegen", event.payload.get("error", "")[:200] or event.request, op, 1.0,
                    note=correction[:500], source_ref=ref))
        kept = [x for x in learned if x is not None]
        return {"ref": ref, "kind": event.kind, "verdict": verdict,
                "lessons": [x.model_dump(exclude={"data"}) for x in kept],
                **({"ignored": ignored} if ignored else {})}

    def _learn_retrieval(self, event: Event, op: str, weight: float, why: str) -> Lesson | None:
        if self.known is not None and not self.known(op):
            log.warning("learning: lesson for %r ignored: no spec has operation %r",
                        event.request, op)
            return None
        data = {k: event.payload.get(k) for k in ("terms", "vector", "provider", "write")}
        return self.store.upsert_lesson("retrieval", event.request, op, weight, note=why,
                                        source_ref=event.ref, data=data, cap=CAP)

    def learn_fix(self, error: str, fix: str, operations: list[str]) -> None:
        """Code generation: a round failed with ``error``, the next passed after ``fix``."""
        for op in operations:
            if self.known is None or self.known(op):
                self.store.upsert_lesson("codegen", error[:200], op, 1.0, note=fix[:500])

    # ----------------------------------------------------------------- applying
    def _lessons(self, kind: str) -> list[Lesson]:
        version = self.store.version
        if self._cache is None or self._cache[0] != version:
            try:
                self._cache = (version, self.store.lessons())
            except Exception as exc:
                log.warning("learning: lessons unavailable: %s", exc)
                return []
        return [x for x in self._cache[1] if x.kind == kind]

    def decayed(self, lesson: Lesson) -> float:
        age_days = max(0.0, self.now() - lesson.created) / 86400
        return lesson.weight * 0.5 ** (age_days / HALF_LIFE_DAYS)

    def adjust(self, q: Any, ids: list[str], scores: np.ndarray, vector: Any = None,
               provider: str | None = None, allowed: Callable[[str], bool] | None = None,
               ) -> dict[str, float]:
        """Score changes for ``q`` given the current ranking (``ids``/``scores``, best first):
        op id -> amount to add. Lessons for operations outside the ranking are returned too
        (the caller adds them when ``allowed``)."""
        if not ids:
            return {}
        terms = _terms(q)
        wants_write = bool(getattr(q, "intents", set()) & _write_intents())
        spread = float(scores[0] - scores[min(9, len(scores) - 1)]) or 1.0
        total: dict[str, float] = {}
        for lesson in self._lessons("retrieval"):
            data = lesson.data
            if provider and data.get("provider") and data["provider"] != provider:
                continue
            if data.get("write") and not wants_write:
                continue  # a lesson learned on a write request never lifts writes for reads
            sim = max(term_similarity(terms, data.get("terms") or {}),
                      vector_similarity(data.get("vector"), vector))
            if sim < MIN_SIMILARITY:
                continue
            if self.known is not None and not self.known(lesson.target):
                if lesson.target not in self._ignored:
                    self._ignored.add(lesson.target)
                    log.warning("learning: lesson %s ignored: no spec has %r", lesson.id,
                                lesson.target)
                continue
            total[lesson.target] = total.get(lesson.target, 0.0) + strength(sim) * \
                self.decayed(lesson)
        return {op: max(-CAP, min(CAP, w)) * spread * 1.05 for op, w in total.items() if w}

    def notes_for(self, operations: list[str], limit: int = 5) -> list[str]:
        """Codegen notes for these operations (strongest first)."""
        notes = sorted((x for x in self._lessons("codegen") if x.target in operations),
                       key=lambda x: -self.decayed(x))
        return [f"{x.target}: when the code failed with `{x.request}`, this fixed it: {x.note}"
                for x in notes[:limit]]

    def answered_requests(self, tool: str, limit: int = 3) -> list[str]:
        return [x.request for x in self._lessons("tool") if x.target == tool][:limit]

    def evidence_weight(self, scope: str, signal: str) -> float:
        """1.0 less what "wrong" verdicts on ``scope`` (diagnosis/health) taught about
        ``signal``; "right" verdicts only cancel earlier "wrong" ones. A confirmation is no
        reason to rank a rule above the others everywhere (measured: raising confirmed rules
        cost another case its right root cause in bench_learning --diagnosis)."""
        got = sum(self.decayed(x) for x in self._lessons("evidence")
                  if x.request == scope and x.target == signal)
        return max(0.2, min(1.0, 1.0 + got))


def _write_intents() -> frozenset[str]:
    from mcp_sre.retrieval.rewrite import WRITE_INTENTS

    return WRITE_INTENTS
