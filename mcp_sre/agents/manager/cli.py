"""``mcp-sre ask`` and ``mcp-sre runs list|show``: the ManagerAgent from the command line."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import click

from mcp_sre.cli import friendly_errors

__all__ = ["ask_command", "render_run", "runs_group"]


def _manager() -> Any:
    from mcp_sre.agents.manager import ManagerAgent
    from mcp_sre.server import ServerState

    return ManagerAgent(ServerState())


@click.command("ask")
@click.argument("request", required=False, default="")
@click.option("--session", "session_id", help="Conversation id: follow-ups resolve against it")
@click.option("--resume", "resume", help="Continue an interrupted run after its last finished "
              "step")
@click.option("--no-llm", is_flag=True, help="Plan with playbooks only, even when a model is "
              "configured")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON")
@friendly_errors
def ask_command(request: str, session_id: str | None, resume: str | None, no_llm: bool,
                as_json: bool) -> None:
    """Answer an SRE request: plan, run the steps (read-only), answer, and record the run."""
    import anyio

    from mcp_sre.llm.resolve import resolve_llm

    if not request and not resume:
        raise click.UsageError("give a REQUEST, or --resume RUN_ID")
    manager = _manager()
    llm = None if no_llm else resolve_llm(None).llm

    async def progress(message: str) -> None:
        if not as_json:
            click.echo(f"  .. {message}", err=True)

    ask_user = None
    if sys.stdin.isatty() and not as_json:
        async def ask_user(question: str) -> str | None:
            answer = await anyio.to_thread.run_sync(
                lambda: click.prompt(question, default="", show_default=False))
            return answer.strip() or None

    result = anyio.run(lambda: manager.investigate(request, session_id=session_id,
                                                   resume=resume, llm=llm, progress=progress,
                                                   ask_user=ask_user))
    if as_json:
        click.echo(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        click.echo(result.answer)
        click.echo("")
        click.echo(render_run(manager.records.get(result.run_id), answer=False))
    sys.exit(0 if result.status == "finished" else 1)


@click.group("runs")
def runs_group() -> None:
    """Recorded ManagerAgent runs (what `mcp-sre ask` and `investigate` did)."""


@runs_group.command("list")
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def runs_list(limit: int, as_json: bool) -> None:
    """Newest runs first."""
    rows = _manager().records.list(limit)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r["started"]))
        click.echo(f"{r['id']}  {when}  {r['status']:<11} {r['source']:<9} "
                   f"{r['steps']:>2} steps  {r['request'][:60]}")


@runs_group.command("show")
@click.argument("run_id")
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def runs_show(run_id: str, as_json: bool) -> None:
    """One run as a tree: the plan's steps, what each observed, what changed the plan."""
    record = _manager().records.get(run_id)
    if as_json:
        click.echo(record.model_dump_json(indent=2))
        return
    click.echo(render_run(record))


def render_run(record: Any, *, answer: bool = True) -> str:
    """The run as a tree of its plan (a step under the steps it waited for)."""
    steps = {s.step_id: s for s in record.steps}
    took = f"{record.finished - record.started:.1f} s" if record.finished else "unfinished"
    lines = [f"run {record.id} [{record.status}] plan {record.plan.name} ({record.source}), "
             f"{took}, attempts {record.attempts}, tokens {record.input_tokens}/"
             f"{record.output_tokens}, cost {record.cost:g}",
             f"request: {record.request}"]
    if record.resolved and record.resolved != record.request:
        lines.append(f"resolved: {record.resolved}")
    children: dict[str, list[Any]] = {}
    roots = []
    for step in record.plan.steps:
        parent = step.depends_on[-1] if step.depends_on else None
        (children.setdefault(parent, []) if parent else roots).append(step)

    def walk(step: Any, prefix: str, last: bool) -> None:
        rec = steps.get(step.id)
        status = rec.status if rec else "not run"
        summary = (rec.summary.splitlines() or [""])[0][:90] if rec else ""
        extra = f" after {', '.join(step.depends_on)}" if len(step.depends_on) > 1 else ""
        when = f" when {step.when}" if step.when else ""
        note = f" ({rec.note})" if rec and rec.note else ""
        secs = f" {rec.seconds:.2f}s" if rec else ""
        lines.append(f"{prefix}{'└─ ' if last else '├─ '}{step.id} [{step.agent}] {status}"
                     f"{secs}{when}{extra}{note}" + (f": {summary}" if summary else ""))
        kids = children.get(step.id, [])
        for i, kid in enumerate(kids):
            walk(kid, prefix + ("   " if last else "│  "), i == len(kids) - 1)

    for i, root in enumerate(roots):
        walk(root, "", i == len(roots) - 1)
    for change in record.changes:
        lines.append(f"plan change: {change}")
    if answer and record.answer:
        lines.append("answer:")
        lines.extend("  " + line for line in record.answer.splitlines())
    return "\n".join(lines)
