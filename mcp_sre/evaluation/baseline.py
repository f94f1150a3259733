"""The baseline: a JSON file in the repository with the numbers of the last accepted run,
changed only on purpose (``--update-baseline``). Comparing takes each metric's noise band."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mcp_sre.config import atomic_write
from mcp_sre.errors import ValidationError
from mcp_sre.evaluation.models import Change, Metric, SuiteResult

__all__ = ["compare", "load_baseline", "save_baseline"]


def load_baseline(path: Path) -> dict[str, dict[str, float]]:
    """suite -> metric -> value; a missing file is an empty baseline, a broken one an error."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        suites = data["suites"]
        return {s: {m: float(v) for m, v in metrics.items() if v is not None}
                for s, metrics in suites.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValidationError(f"baseline {path} is not readable: {exc}",
                              hint="restore it from git or write a new one with "
                              "--update-baseline") from exc


def save_baseline(path: Path, suites: list[SuiteResult], old: dict[str, dict[str, float]],
                  stamp: str) -> None:
    """Write the measured suites over ``old`` (suites skipped now keep their old numbers)."""
    merged: dict[str, Any] = {k: dict(v) for k, v in old.items()}
    for suite in suites:
        if suite.status == "ok":
            merged[suite.name] = {m.name: m.value for m in suite.metrics if m.value is not None}
    atomic_write(path, json.dumps({"updated": stamp, "suites": dict(sorted(merged.items()))},
                                  indent=1, ensure_ascii=False, sort_keys=False) + "\n")


def _band(metric: Metric, base: float) -> float:
    return metric.band + metric.relative_band * abs(base)


def compare_metric(suite: str, metric: Metric, base: float | None) -> Change:
    if metric.value is None:
        return Change(suite=suite, metric=metric.name, value=None, baseline=base, delta=None,
                      band=metric.band, verdict="n/a")
    if base is None:
        return Change(suite=suite, metric=metric.name, value=metric.value, baseline=None,
                      delta=None, band=metric.band, verdict="new")
    delta = metric.value - base
    band = _band(metric, base)
    if metric.better is None or abs(delta) <= band + 1e-12:
        verdict = "same"
    elif (delta > 0) == (metric.better == "higher"):
        verdict = "better"
    else:
        verdict = "regression" if metric.gate else "worse"
    return Change(suite=suite, metric=metric.name, value=metric.value, baseline=base,
                  delta=round(delta, 6), band=round(band, 6), verdict=verdict)


def compare(suites: list[SuiteResult], baseline: dict[str, dict[str, float]]) -> list[Change]:
    """Every measured metric of every ok suite against the baseline."""
    return [compare_metric(s.name, m, baseline.get(s.name, {}).get(m.name))
            for s in suites if s.status == "ok" for m in s.metrics]
