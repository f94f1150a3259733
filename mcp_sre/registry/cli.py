"""``mcp-sre tools ...``: list, show, test, find, remove, roll back and restore registered tools.

The lead attaches the group to the main CLI (``main.add_command(tools)``). Errors print one
``error: ...`` line and exit 1; ``test`` exits 1 when the tool's own test fails.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from mcp_sre.cli import friendly_errors as _errors

__all__ = ["tools"]



def _registry() -> Any:
    from mcp_sre.registry import ToolRegistry
    from mcp_sre.sandbox import CatalogOperations
    from mcp_sre.specs.catalog import SpecCatalog

    catalog = SpecCatalog()
    return ToolRegistry(catalog.settings, pm=catalog.pm, operation_lookup=CatalogOperations(catalog))


def _dump(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@click.group()
def tools() -> None:
    """Registered tools: generated code kept as versioned, scored MCP tools."""


@tools.command("list")
@click.option("--all", "include_all", is_flag=True, help="Include deprecated tools.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_errors
def list_cmd(include_all: bool, as_json: bool) -> None:
    """Every registered tool, best first."""
    rows = _registry().list(include_deprecated=include_all)
    if as_json:
        _dump([r.model_dump(mode="json") for r in rows])
        return
    if not rows:
        click.echo("no registered tools")
        return
    click.echo(f"{'name':<32} {'ver':>4} {'score':>6} {'calls':>6} {'ok%':>5} {'p50 ms':>8}  "
               "status")
    for r in rows:
        st = r.stats
        ok = f"{100 * st.successes / st.calls:.0f}" if st.calls else "-"
        p50 = f"{st.latency_p50_ms:.0f}" if st.latency_p50_ms is not None else "-"
        click.echo(f"{r.name:<32} {'v' + str(r.version):>4} {r.score:>6.2f} {st.calls:>6} "
                   f"{ok:>5} {p50:>8}  {r.status}")


@tools.command("show")
@click.argument("name")
@click.option("--version", "version", type=int, default=None, help="A version other than "
              "the active one.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_errors
def show_cmd(name: str, version: int | None, as_json: bool) -> None:
    """A tool's metadata, history, statistics, code and test."""
    registry = _registry()
    tool = registry.get(name, version)
    head = registry.store.head(name)
    summary = registry.summary(name)
    if as_json:
        _dump({"tool": tool.model_dump(mode="json"), "head": head.model_dump(mode="json"),
               "summary": summary.model_dump(mode="json")})
        return
    click.echo(f"{tool.name} v{tool.version} ({head.status}; active v{head.active_version} of "
               f"{', '.join(f'v{v}' for v in registry.store.versions(name))})")
    click.echo(f"  {tool.description}")
    if tool.request:
        click.echo(f"  request: {tool.request}")
    click.echo(f"  providers: {', '.join(tool.providers) or '-'}; operations: "
               f"{', '.join(tool.operations) or '-'}")
    st = summary.stats
    click.echo(f"  score {summary.score:.2f}; calls {st.calls} (ok {st.successes}, failed "
               f"{st.failures}); p50 {st.latency_p50_ms if st.latency_p50_ms is not None else '-'}"
               " ms")
    if st.last_error:
        click.echo(f"  last error: {st.last_error}")
    click.echo(f"  parameters: {json.dumps(tool.parameters)}")
    click.echo("  history:")
    for line in head.history[-10:]:
        click.echo(f"    {line}")
    click.echo("--- code ---")
    click.echo(tool.code.rstrip())
    click.echo("--- test ---")
    click.echo(tool.test.rstrip())


@tools.command("test")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_errors
def test_cmd(name: str, as_json: bool) -> None:
    """Run the tool's own test in the sandbox; exit 1 when it fails."""
    registry = _registry()
    tool = registry.get(name)
    report = registry.run_test(tool.code, tool.test, providers=tool.providers)
    if as_json:
        _dump(report.model_dump(mode="json"))
    elif report.passed:
        click.echo(f"PASS {name} v{tool.version}: {', '.join(report.tests) or 'top-level test'}"
                   f" in {report.duration_ms:.0f} ms")
    else:
        click.echo(f"FAIL {name} v{tool.version}: {report.error}")
        if report.stderr:
            click.echo(report.stderr.rstrip())
    if not report.passed:
        sys.exit(1)


@tools.command("find")
@click.argument("request")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 50))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_errors
def find_cmd(request: str, limit: int, as_json: bool) -> None:
    """Registered tools that fit REQUEST, best first."""
    registry = _registry()
    matches = registry.find(request, limit=limit)
    if as_json:
        _dump({"threshold": registry.reuse_threshold,
               "matches": [m.model_dump(mode="json") for m in matches]})
        return
    if not matches:
        click.echo("no registered tool fits")
        return
    click.echo(f"similarity confidence (reuse at {registry.reuse_threshold:.2f})")
    for m in matches:
        flag = "reuse" if m.reuse else "     "
        click.echo(f"{m.similarity:10.2f} {m.confidence:10.2f} {flag} {m.tool.name} "
                   f"v{m.tool.version}: "
                   f"{m.tool.description}")


@tools.command("rm")
@click.argument("name")
@_errors
def rm_cmd(name: str) -> None:
    """Remove a tool (all versions move to .removed/ in the registry folder)."""
    path = _registry().remove(name)
    click.echo(f"removed {name} (kept at {path})")


@tools.command("rollback")
@click.argument("name")
@click.option("--to", "version", type=int, default=None, help="Version to make active "
              "(default: the one before the active one).")
@_errors
def rollback_cmd(name: str, version: int | None) -> None:
    """Make an earlier version of NAME the active one."""
    tool = _registry().rollback(name, version)
    click.echo(f"{name}: v{tool.version} is active")


@tools.command("restore")
@click.argument("name")
@_errors
def restore_cmd(name: str) -> None:
    """Make a deprecated tool active again."""
    summary = _registry().restore(name)
    click.echo(f"{name}: v{summary.version} is active again")
