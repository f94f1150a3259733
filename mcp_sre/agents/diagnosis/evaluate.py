"""``mcp-sre eval diagnosis DIR``: serve each case's cluster locally, diagnose, score.

A case is a folder with ``case.yaml`` (``question``, optional ``target``, ``expect``: groups
of alternatives; every group must match the root cause, an alternative is a case-insensitive
substring or a ``/regex/``) and a cluster the provider's replay server can serve
(``scenario.yaml``). Serving is the provider's business: ``serve(case_dir)`` is a context
manager yielding the per-provider context (e.g. a kubeconfig path) the diagnoser's reads use.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from mcp_sre.agents.diagnosis.models import DiagnosisError

__all__ = ["CaseResult", "EvalReport", "evaluate_cases", "load_case", "matches"]

Serve = Callable[[Path], AbstractContextManager[dict[str, dict[str, Any]]]]


class CaseResult(BaseModel):
    name: str = Field(description="Case folder name")
    passed: bool = Field(description="Every expect group matched the root cause")
    root_cause: str = Field(default="", description="The root cause the diagnosis gave")
    missing: list[list[str]] = Field(default_factory=list, description="Groups not matched")
    seconds: float = Field(default=0.0, description="Diagnosis wall time")
    error: str = Field(default="", description="Why the case could not run")


class EvalReport(BaseModel):
    n: int = Field(description="Cases run")
    passed: int = Field(description="Cases passed")
    accuracy: float = Field(description="passed / n (0-1)")
    p50_s: float = Field(description="Median diagnosis seconds")
    p95_s: float = Field(description="95th percentile diagnosis seconds")
    cases: list[CaseResult] = Field(description="One entry per case")


def matches(text: str, alternative: str) -> bool:
    if len(alternative) > 2 and alternative.startswith("/") and alternative.endswith("/"):
        return re.search(alternative[1:-1], text, re.I) is not None
    return alternative.lower() in text.lower()


def load_case(folder: Path) -> dict[str, Any]:
    path = folder / "case.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DiagnosisError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict) or not data.get("question") or \
            not isinstance(data.get("expect"), list):
        raise DiagnosisError(f"{path} needs 'question' and an 'expect' list of groups")
    return data


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return round(ordered[index], 3)


def evaluate_cases(root: Path, diagnoser: Any, serve: Serve,
                   on_case: Callable[[CaseResult], None] | None = None) -> EvalReport:
    """Run every case folder under ``root`` (sorted by name)."""
    root = Path(root)
    if not root.is_dir():
        raise DiagnosisError(f"{root} is not a folder of cases")
    folders = sorted(p for p in root.iterdir() if (p / "case.yaml").is_file())
    if not folders:
        raise DiagnosisError(f"no case folders (with case.yaml) under {root}")
    results: list[CaseResult] = []
    for folder in folders:
        result = CaseResult(name=folder.name, passed=False)
        try:
            case = load_case(folder)
            with serve(folder) as context:
                diagnoser.context = context
                started = time.monotonic()
                report = diagnoser.diagnose(str(case["question"]), case.get("target"))
                result.seconds = round(time.monotonic() - started, 3)
            result.root_cause = report.root_cause
            groups = [[str(a) for a in (g if isinstance(g, list) else [g])]
                      for g in case["expect"]]
            result.missing = [g for g in groups
                              if not any(matches(report.root_cause, a) for a in g)]
            result.passed = not result.missing
        except DiagnosisError as exc:
            result.error = str(exc)
        except Exception as exc:  # one broken case must not end the run
            result.error = f"{type(exc).__name__}: {exc}"
        results.append(result)
        if on_case:
            on_case(result)
    passed = sum(r.passed for r in results)
    times = [r.seconds for r in results if not r.error]
    return EvalReport(n=len(results), passed=passed, accuracy=round(passed / len(results), 3),
                      p50_s=round(statistics.median(times), 3) if times else 0.0,
                      p95_s=_percentile(times, 0.95), cases=results)
