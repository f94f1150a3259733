"""``mcp-sre feedback REF VERDICT`` and ``mcp-sre lessons list|show|rm|export|import``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from mcp_sre.cli import friendly_errors

__all__ = ["feedback_command", "lessons"]


def _learner() -> Any:
    from mcp_sre.config import load_settings
    from mcp_sre.errors import ValidationError
    from mcp_sre.learning import learner_from_settings

    learner = learner_from_settings(load_settings(), known=_known())
    if learner is None:
        raise ValidationError("learning is off (MCP_SRE_LEARNING=0)",
                              hint="unset MCP_SRE_LEARNING to use lessons")
    return learner


def _known() -> Any:
    from mcp_sre.errors import McpSreError
    from mcp_sre.specs.catalog import SpecCatalog

    catalog: list[Any] = []

    def known(op: str) -> bool:
        if not catalog:
            catalog.append(SpecCatalog())
        try:
            catalog[0].get(op)
            return True
        except McpSreError:
            return False

    return known


@click.command("feedback")
@click.argument("ref")
@click.argument("verdict", type=click.Choice(["right", "wrong"]))
@click.option("--correction", default=None,
              help="What was right instead: an operation id, a root cause, a fix.")
@click.option("--json", "as_json", is_flag=True, help="Print what was learned as JSON.")
@friendly_errors
def feedback_command(ref: str, verdict: str, correction: str | None, as_json: bool) -> None:
    """Say whether the answer REF (a search, run, diagnosis or tool call) was right."""
    out = _learner().feedback(ref, verdict, correction)
    if as_json:
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    click.echo(f"recorded: {verdict} on {out['kind']} {ref}")
    for lesson in out["lessons"]:
        click.echo(f"  lesson {lesson['id']}: {lesson['kind']} {lesson['request']!r} -> "
                   f"{lesson['target']} (weight {lesson['weight']:+.2f})")
    if out.get("ignored"):
        click.echo(f"  ignored: {out['ignored']}", err=True)


@click.group("lessons")
def lessons() -> None:
    """What the server learned from feedback (local to MCP_SRE_HOME)."""


@lessons.command("list")
@click.option("--kind", type=click.Choice(["retrieval", "codegen", "tool", "evidence"]),
              default=None)
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def lessons_list(kind: str | None, as_json: bool) -> None:
    """Every lesson (id, kind, request, target, weight after decay)."""
    learner = _learner()
    found = learner.store.lessons(kind)
    if as_json:
        click.echo(json.dumps([x.model_dump(exclude={"data"}) for x in found], indent=2,
                              ensure_ascii=False))
        return
    if not found:
        click.echo("no lessons yet")
    for x in found:
        click.echo(f"{x.id:>4} {x.kind:<9} {learner.decayed(x):+.2f}  {x.request[:60]!r} -> "
                   f"{x.target}")


@lessons.command("show")
@click.argument("lesson_id", type=int)
@friendly_errors
def lessons_show(lesson_id: int) -> None:
    """One lesson in full."""
    from mcp_sre.errors import NotFoundError

    found = _learner().store.lesson(lesson_id)
    if found is None:
        raise NotFoundError(f"no lesson {lesson_id}", hint="mcp-sre lessons list")
    data = found.model_dump()
    data["data"] = {k: v for k, v in found.data.items() if k != "vector"}
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@lessons.command("rm")
@click.argument("lesson_ids", type=int, nargs=-1, required=True)
@friendly_errors
def lessons_rm(lesson_ids: tuple[int, ...]) -> None:
    """Forget lessons."""
    store = _learner().store
    missing = [i for i in lesson_ids if not store.remove_lesson(i)]
    click.echo(f"removed {len(lesson_ids) - len(missing)}")
    if missing:
        click.echo(f"error: no lesson {', '.join(map(str, missing))}", err=True)
        sys.exit(1)


@lessons.command("export")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@friendly_errors
def lessons_export(file: Path) -> None:
    """Write every lesson to FILE (JSON) to review, share or keep."""
    from mcp_sre.config import atomic_write

    found = _learner().store.lessons()
    atomic_write(file, json.dumps([x.model_dump() for x in found], ensure_ascii=False))
    click.echo(f"exported {len(found)} lesson(s) to {file}")


@lessons.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@friendly_errors
def lessons_import(file: Path) -> None:
    """Add the lessons of FILE (from lessons export); ones naming unknown operations are
    skipped."""
    from pydantic import ValidationError as PydanticError

    from mcp_sre.errors import ValidationError
    from mcp_sre.learning import Lesson

    learner = _learner()
    try:
        items = [Lesson.model_validate(x) for x in json.loads(file.read_text(encoding="utf-8"))]
    except (ValueError, TypeError, PydanticError) as exc:
        raise ValidationError(f"{file} is not a lessons export: {str(exc).splitlines()[0]}") \
            from exc
    unknown = [x for x in items if x.kind in {"retrieval", "codegen"}
               and learner.known is not None and not learner.known(x.target)]
    kept = [x for x in items if x not in unknown]
    learner.store.import_lessons(kept)
    click.echo(f"imported {len(kept)} lesson(s)"
               + (f"; skipped {len(unknown)} naming unknown operations" if unknown else ""))
