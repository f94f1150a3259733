"""``mcp-sre eval health DIR``: build each case on local targets, run the report, score it.

A case folder holds ``case.yaml`` (``question``; ``expect: {status, unhealthy: [...],
healthy: [...]}``; optional ``down: [provider]`` for a source that does not answer) and any
of the files a plugin's ``local_targets`` hook knows (``aws.yaml``, ``scenario.yaml``,
``metrics.om``); an optional ``health.yaml`` overrides thresholds for that case. Scores:
precision and recall of the unhealthy components (summed over cases), status accuracy, and
the report time (p50), with no LLM. A case whose targets need a program this machine lacks
(``MissingProgramError``) is skipped, not failed: that is the machine's fault, not the report's.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
from pydantic import BaseModel, ConfigDict, Field

from mcp_sre.agents.health.config import load_health_config
from mcp_sre.agents.health.report import HealthAgent, mapping_files
from mcp_sre.agents.health.schema import HealthStatus
from mcp_sre.agents.health.yamlfile import load_model, read_yaml
from mcp_sre.errors import McpSreError, MissingProgramError, ValidationError

__all__ = ["CaseSpec", "format_summary", "run_case", "run_cases"]


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: HealthStatus = Field(description="Expected overall status")
    unhealthy: list[str] = Field(
        default_factory=list, description="Components that must be reported unhealthy"
    )
    healthy: list[str] = Field(default_factory=list, description="Components that must not be")


class CaseSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(description="The request, as a person would ask it")
    expect: Expect
    down: list[str] = Field(default_factory=list, description="Providers whose source is down")
    description: str = Field(default="", description="What the case checks")


@contextlib.contextmanager
def _environment(values: dict[str, str], clear: list[str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in [*values, *clear]}
    for key in clear:
        os.environ.pop(key, None)
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _norm(name: str) -> str:
    return name.strip().lower()


def run_case(
    folder: Path, pm: Any, lookup: Any, targets: dict[str, tuple[str, Any]], workdir: Path
) -> dict[str, Any]:
    data, node = read_yaml(
        (folder / "case.yaml").read_text(encoding="utf-8"), str(folder / "case.yaml")
    )
    case = load_model(CaseSpec, data, node, str(folder / "case.yaml"))
    present = {name: spec for name, spec in targets.items() if (folder / name).is_file()}
    providers = sorted({p for p, _ in present.values()} | set(case.down))
    env_keys = [v for m in mapping_files(pm) for v in m.env]  # unset what the case does not set
    with contextlib.ExitStack() as stack:
        env: dict[str, str] = {}
        for name, (provider, factory) in present.items():
            env.update(
                stack.enter_context(
                    factory(folder / name, workdir / provider, down=provider in case.down)
                )
            )
        stack.enter_context(_environment(env, env_keys))
        override = folder / "health.yaml"
        config = load_health_config(override if override.is_file() else None, home=workdir)
        agent = HealthAgent(pm, lookup, config=config, home=workdir / "home", providers=providers)
        agent.warm()  # loading specs into a cold catalog is not the report's time
        started = time.perf_counter()
        report = anyio.run(lambda: agent.report(case.question))
        seconds = time.perf_counter() - started
    bad = [c for c in report.components if c.status == HealthStatus.unhealthy]
    flagged = {_norm(n) for c in bad for n in (c.name, c.id, *c.members)}
    flagged |= {n.rsplit("/", 1)[-1] for n in flagged}  # namespace/name -> name
    expected = {_norm(n) for n in case.expect.unhealthy}
    names = {_norm(c.name) for c in report.components if c.status == HealthStatus.unhealthy}
    tp = len(expected & flagged)
    fp = len({n for n in names if n not in expected}) + len(
        {_norm(n) for n in case.expect.healthy} & flagged - expected
    )
    return {
        "case": folder.name,
        "status": report.status.value,
        "expected_status": case.expect.status.value,
        "status_ok": report.status == case.expect.status,
        "unhealthy": sorted(names),
        "expected_unhealthy": sorted(expected),
        "tp": tp,
        "fp": fp,
        "fn": len(expected - flagged),
        "seconds": round(seconds, 3),
        "components": len(report.components),
        "score": report.score,
        "sources": {x.provider: round(x.seconds, 2) for x in report.sources},
        "notes": report.notes[:5],
    }


def run_cases(folder: Path, only: list[str] | None = None) -> dict[str, Any]:
    """Every case under ``folder`` (sorted); one summary object."""
    from mcp_sre.config import load_settings
    from mcp_sre.sandbox.runner import CatalogOperations
    from mcp_sre.specs.catalog import SpecCatalog

    cases = sorted(p.parent for p in folder.glob("*/case.yaml"))
    if only:
        cases = [c for c in cases if c.name in only]
    if not cases:
        raise ValidationError(f"no case folders (with case.yaml) under {folder}")
    catalog = SpecCatalog(load_settings())
    pm = catalog.pm
    targets: dict[str, tuple[str, Any]] = {}
    for found in pm.hook.local_targets() or []:
        targets.update(found or {})
    lookup = CatalogOperations(catalog)
    results: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    root = Path(tempfile.mkdtemp(prefix="mcp-sre-eval-health-"))
    try:
        for case in cases:
            try:
                results.append(run_case(case, pm, lookup, targets, root / case.name))
            except MissingProgramError as exc:
                skipped.append({"case": case.name, "reason": str(exc)})
            except McpSreError as exc:  # a case that cannot be built is a failed case
                results.append(
                    {
                        "case": case.name,
                        "error": str(exc),
                        "status_ok": False,
                        "tp": 0,
                        "fp": 0,
                        "fn": 0,
                        "seconds": 0.0,
                    }
                )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    tp = sum(r["tp"] for r in results)
    fp = sum(r["fp"] for r in results)
    fn = sum(r["fn"] for r in results) + sum(
        len(r.get("expected_unhealthy", [])) for r in results if "error" in r
    )
    timed = [r["seconds"] for r in results if "error" not in r]
    return {
        "n": len(results),
        "status_accuracy": (
            round(sum(r["status_ok"] for r in results) / len(results), 3) if results else None
        ),
        "precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 3) if tp + fn else 1.0,
        "p50_s": round(statistics.median(timed), 3) if timed else None,
        "cases": results,
        "skipped": skipped,
    }


def format_summary(summary: dict[str, Any]) -> str:
    lines = [f"{'case':<34} {'status':<22} {'unhealthy (tp/fp/fn)':<22} time"]
    for r in summary["cases"]:
        if "error" in r:
            lines.append(f"{r['case']:<34} ERROR {r['error'][:120]}")
            continue
        mark = "ok " if r["status_ok"] else "BAD"
        status = f"{mark} {r['status']}/{r['expected_status']}"
        lines.append(
            f"{r['case']:<34} {status:<22} {r['tp']}/{r['fp']}/{r['fn']:<18} {r['seconds']:.2f}s"
        )
    for r in summary.get("skipped", []):
        lines.append(f"{r['case']:<34} SKIPPED {r['reason'][:120]}")
    if not summary["n"]:
        lines.append("no case could run here")
        return "\n".join(lines)
    lines.append(
        f"n={summary['n']}  status accuracy {summary['status_accuracy']:.3f}  "
        f"precision {summary['precision']:.3f}  recall {summary['recall']:.3f}  "
        f"p50 {summary['p50_s']} s"
    )
    return "\n".join(lines)
