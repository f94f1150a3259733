"""``mcp-sre diagnose "QUESTION"`` and ``mcp-sre eval diagnosis DIR``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from mcp_sre.cli import friendly_errors

__all__ = ["diagnose_command", "eval_diagnosis"]


@click.command("diagnose")
@click.argument("question")
@click.option("--namespace", "-n", default=None, help="Namespace (default: from the question).")
@click.option("--kind", default=None, help="Kind of the target, e.g. Pod, Deployment.")
@click.option("--name", default=None, help="Name of the target.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="Report language (default: the question's).")
@click.option("--llm/--no-llm", default=True, show_default=True,
              help="Use the configured OpenAI-compatible endpoint (MCP_SRE_LLM_BASE_URL) if set.")
@click.option("--steps", is_flag=True, help="Show every read and reasoning step.")
@click.option("--replay", type=click.Path(exists=True, path_type=Path), default=None,
              help="Diagnose a recorded cluster (a scenario file or a `cluster-info dump` "
              "folder) served locally, instead of the live one.")
@friendly_errors
def diagnose_command(question: str, namespace: str | None, kind: str | None, name: str | None,
                     as_json: bool, lang: str | None, llm: bool, steps: bool,
                     replay: Path | None) -> None:
    """Why is this workload failing? A layered root-cause report with evidence (read-only)."""
    import contextlib

    import anyio

    from mcp_sre.agents.diagnosis import build_diagnoser, diagnose_report, to_markdown
    from mcp_sre.agents.diagnosis.models import DiagnosisError

    if bool(kind) != bool(name):
        raise DiagnosisError("--kind and --name go together", hint="or give neither")
    target = {"kind": kind, "namespace": namespace or "", "name": name} if kind else None
    diagnoser = build_diagnoser()
    model, label = None, ""
    if llm:
        from mcp_sre.llm.resolve import resolve_llm

        choice = resolve_llm()
        model, label = choice.llm, choice.label

    def progress(done: int, total: int, message: str) -> None:
        if not as_json:
            click.echo(f"[{done}/{total}] {message}", err=True)

    served: Any = contextlib.nullcontext(None)
    if replay is not None:
        served = diagnoser.sandbox.pm.hook.replay_cluster(folder=replay)
        if served is None:
            raise DiagnosisError(f"no plugin can replay {replay}",
                                 hint="give a scenario file or a cluster-info dump folder")
    with served as context:
        if context is not None:  # this diagnoser's own sandbox: its code reads the replay too
            diagnoser.context = context
            diagnoser.sandbox.context = {**diagnoser.sandbox.context, **context}
        report = anyio.run(lambda: diagnose_report(
            diagnoser, question, target, namespace=namespace, lang=lang, llm=model,
            llm_label=label, progress=progress))
    if as_json:
        click.echo(json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        click.echo(to_markdown(report, diagnoser.knowledge.texts, steps=steps))
    if report.status == "target_not_found":
        sys.exit(2)


@click.command("diagnosis")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@friendly_errors
def eval_diagnosis(folder: Path, as_json: bool) -> None:
    """Serve each case's cluster locally, diagnose (no LLM), score the root causes."""
    from mcp_sre.agents.diagnosis import build_diagnoser
    from mcp_sre.agents.diagnosis.evaluate import evaluate_cases
    from mcp_sre.agents.diagnosis.models import DiagnosisError

    diagnoser = build_diagnoser()
    pm = diagnoser.sandbox.pm

    def serve(case: Path):  # type: ignore[no-untyped-def]
        replay = pm.hook.replay_cluster(folder=case)
        if replay is None:
            raise DiagnosisError(f"no plugin can replay the cluster in {case}",
                                 hint="a case needs a scenario.yaml (or a dump a plugin reads)")
        return replay

    def show(case) -> None:  # type: ignore[no-untyped-def]
        if not as_json:
            mark = "ok  " if case.passed else "FAIL"
            click.echo(f"{mark} {case.name} ({case.seconds:.2f} s)", err=True)

    result = evaluate_cases(folder, diagnoser, serve, on_case=show)
    if as_json:
        click.echo(json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return
    click.echo(f"n={result.n} passed={result.passed} accuracy={result.accuracy:.3f} "
               f"p50={result.p50_s:.2f}s p95={result.p95_s:.2f}s")
    for case in result.cases:
        if not case.passed:
            why = case.error or f"missing {case.missing}"
            click.echo(f"- {case.name}: {why}\n  root cause: {case.root_cause}")
