"""What a code generation teaches: a round that failed followed by one that passed is an
error -> fix lesson on the operations the passing code called (the fix: the lines the model
changed); the operations it called successfully confirm the searches that listed them."""

from __future__ import annotations

import difflib
from typing import Any

__all__ = ["learn_from_generation", "round_error"]


def round_error(record: Any) -> str:
    """The error of a failed round, one line."""
    if record.run is not None and record.run.error is not None:
        return f"{record.run.error.type}: {record.run.error.message}".splitlines()[0][:200]
    if record.checks is not None and record.checks.errors:
        return f"check: {record.checks.errors[0]}"[:200]
    return (record.observation.strip().splitlines() or ["failed"])[0][:200]


def _change(before: str, after: str, limit: int = 4) -> str:
    added = [line[1:].strip() for line in difflib.unified_diff(
        before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line.startswith("+") and not line.startswith("+++") and line[1:].strip()]
    return "; ".join(added[:limit])[:400] or "(same code, a different test)"


def learn_from_generation(learner: Any, result: Any) -> int:
    """Feed a :class:`GenerationResult` to ``learner``; returns the fix lessons written."""
    if learner is None or not result.ok:
        return 0
    learner.record_calls(list(result.called))
    written = 0
    for before, after in zip(result.rounds, result.rounds[1:], strict=False):
        if not before.ok and after.ok and before.code:
            learner.learn_fix(round_error(before), _change(before.code, after.code),
                              list(result.called))
            written += 1
    return written
