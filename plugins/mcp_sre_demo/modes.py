"""``mcp-sre eval modes``: the seed's acceptance requests end to end on the demo's targets.

The cases are data (``modes.yaml``): simple (EC2 instances above 80% CPU equal the seeded hot
set), hard (the e-commerce platform's unhealthy components equal its seeded faults), hell (the
root cause of web-app's CrashLoopBackOff names the seeded cause), follow-ups that need the
previous answer, and a run stopped after step k and resumed. The ManagerAgent runs in this
process, without a model, against targets started like ``mcp-sre demo`` starts them.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import yaml
from pydantic import BaseModel, Field

from mcp_sre.cli import friendly_errors

__all__ = ["CASES", "SCENARIO", "CaseResult", "eval_modes", "run_modes"]

CASES = Path(__file__).with_name("modes.yaml")
SCENARIO = Path(__file__).with_name("scenarios") / "webapp_crashloop.yaml"


class CaseResult(BaseModel):
    name: str = Field(description="simple | hard | hell | followup-* | resume")
    passed: bool
    seconds: float
    steps: int = Field(description="Steps run, over every turn")
    answer: str = Field(description="The last turn's answer")
    why: str = Field(default="", description="Why it failed")
    run_ids: list[str] = Field(default_factory=list)


@contextlib.contextmanager
def _env(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def _target(name: str, workdir: Path) -> Iterator[dict[str, Any]]:
    """Start one target; yields {"env": ..., "seeded": ...}."""
    from mcp_sre_demo.targets import local_aws, local_kubernetes

    workdir.mkdir(parents=True, exist_ok=True)
    if name == "aws":
        with local_aws(workdir) as (env, seeded):
            yield {"env": env, "seeded": seeded}
    elif name == "platform":
        from mcp_sre.agents.health.demo import ecommerce_platform

        with ecommerce_platform(workdir) as env:
            yield {"env": env, "seeded": {}}
    elif name == "webapp":
        with local_kubernetes(workdir, str(SCENARIO)) as (env, _server):
            yield {"env": env, "seeded": {}}
    else:
        raise click.UsageError(f"unknown target {name!r} in {CASES.name}")


def _instances(result: Any) -> set[str]:
    """Instance ids the run's tool steps returned (their rows, as the result's entities)."""
    return {e.value for e in result.entities if e.kind == "instance"}


def _unhealthy(result: Any) -> set[str]:
    for data in result.data.values():
        if isinstance(data, dict) and "unhealthy" in data:
            return set(data["unhealthy"])
    return set()


def _groups_match(text: str, groups: list[list[str]]) -> list[str]:
    """The groups none of whose alternatives occur in ``text`` (case-insensitive)."""
    low = text.lower()
    return [" | ".join(g) for g in groups if not any(
        (re.search(a[1:-1], text, re.I) if a.startswith("/") and a.endswith("/")
         else a.lower() in low) for a in g)]


async def _case(manager: Any, case: dict[str, Any], seeded: dict[str, Any]) -> CaseResult:
    started = time.perf_counter()
    session = f"eval-{case['name']}-{time.time_ns()}"
    steps, run_ids, result = 0, [], None
    for i, request in enumerate(case["turns"]):
        last = i == len(case["turns"]) - 1
        stop = case.get("stop_after") if last else None
        result = await manager.investigate(request, session_id=session, stop_after=stop)
        run_ids.append(result.run_id)
        steps += sum(1 for s in result.steps if s.status not in ("skipped", "cancelled"))
        if stop:
            if result.status != "interrupted":
                return CaseResult(name=case["name"], passed=False, steps=steps,
                                  seconds=time.perf_counter() - started, answer=result.answer,
                                  why=f"not stopped after step {stop}", run_ids=run_ids)
            result = await manager.investigate(resume=result.run_id)
            steps += sum(1 for s in result.steps if s.status not in ("skipped", "cancelled"))
            record = manager.records.get(result.run_id)
            redone = [s.step_id for s in record.steps if s.attempt == 2 and s.step_id in
                      {x.step_id for x in record.steps if x.attempt == 1}]
            if redone or record.attempts != 2:
                return CaseResult(name=case["name"], passed=False, steps=steps,
                                  seconds=time.perf_counter() - started, answer=result.answer,
                                  why=f"resume redid {redone}", run_ids=run_ids)
    assert result is not None
    why = ""
    if case["check"] == "status":
        why = "" if result.status == case["expect"] else f"run {result.status}"
    elif result.status != "finished":
        why = f"run {result.status}"
    elif case["check"] == "instances_equal_seeded":
        got, want = _instances(result), set(seeded.get("hot", []))
        why = "" if got == want else f"instances {sorted(got)} != seeded {sorted(want)}"
    elif case["check"] == "unhealthy_equal":
        got, want = _unhealthy(result), set(case["expect"])
        why = "" if got == want else f"unhealthy {sorted(got)} != seeded {sorted(want)}"
    elif case["check"] == "answer_contains":
        missing = _groups_match(result.answer, case["expect"])
        why = f"answer lacks {missing}" if missing else ""
    elif case["check"] == "answer_not_contains":
        found = [w for w in case["expect"] if w.lower() in result.answer.lower()]
        why = f"answer says {found}" if found else ""
    return CaseResult(name=case["name"], passed=not why, why=why, steps=steps,
                      seconds=round(time.perf_counter() - started, 2), answer=result.answer,
                      run_ids=run_ids)


def run_modes(names: list[str] | None = None, *, home: Path | None = None,
              echo: Any = None, cases_file: Path = CASES) -> dict[str, Any]:
    """Run the cases (all, or ``names``); returns {n, passed, cases: [...]}."""
    import anyio

    from mcp_sre.agents.manager import ManagerAgent
    from mcp_sre.config import load_settings
    from mcp_sre.server import ServerState

    cases = yaml.safe_load(Path(cases_file).read_text(encoding="utf-8"))["cases"]
    if names:
        unknown = set(names) - {c["name"] for c in cases}
        if unknown:
            raise click.UsageError(f"unknown case(s): {', '.join(sorted(unknown))}")
        cases = [c for c in cases if c["name"] in names]
    workdir = Path(tempfile.mkdtemp(prefix="mcp-sre-modes-"))
    registry = workdir / "registry"
    shutil.copytree(load_settings().starter_dir, registry, ignore=shutil.ignore_patterns(
        ".lock", ".removed", "*.sqlite*", "__pycache__"))
    results: list[CaseResult] = []
    try:
        with _env({"MCP_SRE_REGISTRY_DIR": str(registry)}):
            state = ServerState()
            manager = ManagerAgent(state, home=home or workdir)
            for target in dict.fromkeys(c["target"] for c in cases):
                with _target(target, workdir / target) as started, _env(started["env"]):
                    for case in (c for c in cases if c["target"] == target):
                        try:
                            outcome = anyio.run(_case, manager, case, started["seeded"])
                        except Exception as exc:  # a case that crashes fails alone
                            outcome = CaseResult(name=case["name"], passed=False, seconds=0,
                                                 steps=0, answer="",
                                                 why=f"{type(exc).__name__}: {exc}")
                        results.append(outcome)
                        if echo:
                            echo(outcome)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    order = {c["name"]: i for i, c in enumerate(cases)}
    results.sort(key=lambda r: order[r.name])
    needs_llm = {c["name"] for c in cases if c.get("llm")}
    plain = [r for r in results if r.name not in needs_llm]
    return {"n": len(results), "passed": sum(r.passed for r in results),
            "no_llm": {"n": len(plain), "passed": sum(r.passed for r in plain)},
            "llm_needed": {"n": len(results) - len(plain),
                           "passed": sum(r.passed for r in results if r.name in needs_llm)},
            "cases": [r.model_dump() for r in results]}


@click.command("modes")
@click.option("--case", "names", multiple=True, help="Only this case (repeatable)")
@click.option("--cases", "cases_file", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), default=CASES, help="Another case file of the same format "
              "(e.g. tests/fixtures/eval/manager/dev.yaml)")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: n, passed, cases")
@friendly_errors
def eval_modes(names: tuple[str, ...], cases_file: Path, as_json: bool) -> None:
    """The seed's simple / hard / hell requests, follow-ups and a resume, scored on the
    demo's local targets (no model)."""
    def echo(r: CaseResult) -> None:
        if not as_json:
            click.echo(f"{'PASS' if r.passed else 'FAIL'}  {r.name:<20} {r.steps:>3} steps "
                       f"{r.seconds:6.1f} s  {r.why or (r.answer.splitlines() or [''])[0][:70]}")

    report = run_modes(list(names) or None, echo=echo, cases_file=cases_file)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(f"{report['passed']}/{report['n']} passed (without a model: "
                   f"{report['no_llm']['passed']}/{report['no_llm']['n']}; needing one: "
                   f"{report['llm_needed']['passed']}/{report['llm_needed']['n']})")
    sys.exit(0 if report["passed"] == report["n"] else 1)
