"""``mcp-sre eval all``: every suite, one report, exit 1 on a regression beyond the noise band."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mcp_sre.cli import friendly_errors
from mcp_sre.evaluation.suites import REPO

__all__ = ["eval_all"]

DEFAULT_BASELINE = REPO / "benchmarks" / "eval_baseline.json"


@click.command("all")
@click.option("--quick", is_flag=True, help="The fixed quick subset (the CI gate, a few minutes).")
@click.option("--json", "as_json", is_flag=True, help="Print the whole report as JSON.")
@click.option("--baseline", type=click.Path(path_type=Path, dir_okay=False),
              default=DEFAULT_BASELINE, show_default=True, help="Baseline to compare against.")
@click.option("--report", "report_dir", type=click.Path(path_type=Path, file_okay=False),
              default=None, help="Write report.md, report.json and PNG plots here.")
@click.option("--update-baseline", is_flag=True,
              help="Write the measured numbers into the baseline file (on purpose only).")
@click.option("--suite", "names", multiple=True,
              help="Only these suites (repeatable; 'retrieval' = every retrieval set).")
@click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False),
              default=None, help="Folder of labelled sets (default: tests/fixtures/eval).")
@click.option("--list", "list_only", is_flag=True, help="List the suites and exit.")
@friendly_errors
def eval_all(quick: bool, as_json: bool, baseline: Path, report_dir: Path | None,
             update_baseline: bool, names: tuple[str, ...], data_dir: Path | None,
             list_only: bool) -> None:
    """Run every evaluation suite, compare with the baseline, write a report; exit 1 when a
    gated metric moved the wrong way past its noise band or a suite broke."""
    from mcp_sre.errors import ValidationError
    from mcp_sre.evaluation.report import summary_lines, write_report
    from mcp_sre.evaluation.runner import run_all
    from mcp_sre.evaluation.suites import EvalContext, default_suites, select

    ctx = EvalContext(data_dir=data_dir) if data_dir else EvalContext()
    everything = default_suites(ctx)
    suites = select(everything, list(names), quick)
    if list_only:
        for s in everything:
            click.echo(f"{s.name:<24} {'quick' if s.quick else 'full '}  {s.description}")
        return
    if not suites:
        known = ", ".join(s.name for s in everything)
        raise ValidationError(f"no suite matches {', '.join(names) or '(all)'}",
                              hint=f"known suites: {known}")

    def show(result) -> None:  # type: ignore[no-untyped-def]
        if as_json:
            return
        if result.status == "ok":
            head = ", ".join(f"{m.name}={m.value:.3f}" for m in result.metrics[:4]
                             if m.value is not None)
            click.echo(f"{result.name:<24} {result.seconds:7.1f} s  {head}"
                       + (f"  ({result.reason})" if result.reason else ""), err=True)
        else:
            click.echo(f"{result.name:<24} {result.seconds:7.1f} s  {result.status.upper()}: "
                       f"{result.reason}", err=True)

    report = run_all(suites, ctx, quick=quick, baseline=baseline,
                     update_baseline=update_baseline, on_suite=show)
    if report_dir is not None:
        written = write_report(report, report_dir)
        if not as_json:
            click.echo(f"report: {written}", err=True)
    if as_json:
        click.echo(report.model_dump_json(indent=1))
    else:
        click.echo("\n".join(summary_lines(report)))
        if update_baseline:
            click.echo(f"baseline updated: {baseline}")
    if report.failed and not update_baseline:
        sys.exit(1)
