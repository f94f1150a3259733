"""Run a set of suites, compare with the baseline, say whether the run passes."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from mcp_sre.evaluation.baseline import compare, load_baseline, save_baseline
from mcp_sre.evaluation.models import RunReport, SuiteResult
from mcp_sre.evaluation.suites import EvalContext, Suite, run_suite

__all__ = ["run_all"]


def run_all(suites: list[Suite], ctx: EvalContext, *, quick: bool, baseline: Path | None,
            update_baseline: bool = False,
            on_suite: Callable[[SuiteResult], None] | None = None) -> RunReport:
    """Every suite in order (each timed), then the comparison; ``update_baseline`` writes the
    measured numbers into ``baseline`` afterwards (the comparison is against the old ones)."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    old = load_baseline(baseline) if baseline else {}
    started = time.perf_counter()
    results = []
    for suite in suites:
        result = run_suite(suite, ctx)
        results.append(result)
        if on_suite is not None:
            on_suite(result)
    report = RunReport(started=stamp, quick=quick, seconds=round(time.perf_counter() - started, 1),
                       baseline=str(baseline) if baseline else None, suites=results,
                       changes=compare(results, old))
    if update_baseline and baseline is not None:
        save_baseline(baseline, results, old, stamp)
    return report
