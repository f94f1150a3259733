"""The ``mcp-sre`` command line. Errors print one line and exit non-zero, never a traceback."""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from mcp_sre import __version__
from mcp_sre.errors import McpSreError

log = logging.getLogger("mcp_sre.cli")

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(fn: F) -> F:
    """Turn typed errors into ``error: ...`` on stderr and exit status 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except McpSreError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _catalog() -> Any:
    from mcp_sre.specs.catalog import SpecCatalog

    return SpecCatalog()


def _dump(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


class LazyGroup(click.Group):
    """Subcommands that live next to what they drive, imported only when used: ``--help``
    stays fast and one broken module cannot take every command down. Plugins add theirs
    through the ``mcp_sre.cli`` entry-point group (name = "module:command")."""

    lazy: dict[str, str] = {
        "search": "mcp_sre.retrieval.cli:search_command",
        "eval": "mcp_sre.retrieval.cli:eval_group",
        "feedback": "mcp_sre.learning.cli:feedback_command",
        "lessons": "mcp_sre.learning.cli:lessons",
        "run": "mcp_sre.sandbox.cli:run_command",
        "generate": "mcp_sre.agents.cli:generate_command",
        "tools": "mcp_sre.registry.cli:tools",
        "diagnose": "mcp_sre.agents.diagnosis.cli:diagnose_command",
        "health": "mcp_sre.agents.health.cli:health_command",
        "ask": "mcp_sre.agents.manager.cli:ask_command",
        "runs": "mcp_sre.agents.manager.cli:runs_group",
    }

    @functools.cached_property
    def commands_by_name(self) -> dict[str, str]:
        """The built-in lazy commands, then the plugins' (a plugin cannot replace a built-in)."""
        from importlib.metadata import entry_points

        found = {ep.name: ep.value for ep in entry_points(group="mcp_sre.cli")}
        return {**found, **self.lazy}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.commands_by_name})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = self.commands_by_name.get(name)
        if target is not None and name not in self.commands:
            import importlib

            module, attr = target.split(":")
            try:
                command = getattr(importlib.import_module(module), attr)
            except (ImportError, AttributeError) as exc:
                log.warning("command %s (%s) cannot be loaded: %s", name, target, exc)
                return None
            if name == "eval":
                from mcp_sre.evaluation.cli import eval_all  # mcp-sre eval all

                if "all" not in command.commands:
                    command.add_command(eval_all)
                from mcp_sre.agents.cli import eval_codegen

                if "codegen" not in command.commands:
                    command.add_command(eval_codegen)
                from mcp_sre.agents.diagnosis.cli import eval_diagnosis

                if "diagnosis" not in command.commands:
                    command.add_command(eval_diagnosis)
                from mcp_sre.agents.health.cli import eval_health

                if "health" not in command.commands:
                    command.add_command(eval_health)
                # plugins add evaluations through the mcp_sre.eval entry-point group
                from importlib.metadata import entry_points

                for ep in entry_points(group="mcp_sre.eval"):
                    if ep.name not in command.commands:
                        try:
                            command.add_command(ep.load(), ep.name)
                        except (ImportError, AttributeError) as exc:
                            log.warning("eval %s (%s) cannot be loaded: %s", ep.name,
                                        ep.value, exc)
            return command
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="mcp-sre")
def main() -> None:
    """mcp-sre: cloud API specs in, safe read-only SRE tools out, over MCP."""


# ------------------------------------------------------------------------------------ specs
@main.group()
def specs() -> None:
    """Fetch, cache and inspect API specs."""


def _print_status(rows: list[Any]) -> None:
    header = f"{'source':<26} {'provider':<12} {'format':<10} {'ops':>6}  {'fetched (UTC)':<17} state"
    click.echo(header)
    for r in rows:
        fetched = r.fetched_at.strftime("%Y-%m-%d %H:%M") if r.fetched_at else "never"
        state = "stale" if r.stale else ("ok" if r.fetched_at else "-")
        if r.origin == "snapshot":
            state += " (snapshot)"
        click.echo(f"{r.name:<26} {r.provider:<12} {r.format or '?':<10} {r.operations:>6}  "
                   f"{fetched:<17} {state}")
        if r.error:
            click.echo(f"  ! {r.error}")


@specs.command("sync")
@click.argument("names", nargs=-1)
@click.option("--offline", is_flag=True, help="Use cached copies and shipped snapshots only.")
@click.option("--max-age-hours", type=float, default=None, help="Refresh copies older than this.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@friendly_errors
def specs_sync(names: tuple[str, ...], offline: bool, max_age_hours: float | None,
               as_json: bool) -> None:
    """Fetch (or refresh) spec sources; default: every default source."""
    catalog = _catalog()

    def progress(done: int, total: int, message: str) -> None:
        if not as_json and done < total:
            click.echo(f"[{done + 1}/{total}] {message}", err=True)

    rows = catalog.sync(list(names) or None, offline=offline or None,
                        max_age_hours=max_age_hours, progress=progress)
    if as_json:
        _dump([r.model_dump(mode="json") for r in rows])
    else:
        _print_status(rows)
    if any(r.error and not r.operations for r in rows):
        sys.exit(1)


@specs.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@friendly_errors
def specs_list(as_json: bool) -> None:
    """Every known spec source and the state of its cached copy."""
    rows = _catalog().status()
    if as_json:
        _dump([r.model_dump(mode="json") for r in rows])
    else:
        _print_status(rows)


@specs.command("show")
@click.argument("op_id")
@click.option("--json", "as_json", is_flag=True, help="Print the whole APISpec as JSON.")
@click.option("--raw", is_flag=True, help="Include the operation as the spec wrote it.")
@friendly_errors
def specs_show(op_id: str, as_json: bool, raw: bool) -> None:
    """One operation by id, e.g. aws/ec2/DescribeInstances."""
    spec = _catalog().get(op_id)
    data = spec.model_dump(mode="json", exclude=None if raw else {"raw"})
    if as_json:
        _dump(data)
        return
    click.echo(f"{spec.id}  [{spec.access}]  {spec.method} {spec.endpoint}")
    if spec.summary:
        click.echo(f"  {spec.summary}")
    for p in spec.parameters:
        req = "required" if p.required else "optional"
        click.echo(f"  - {p.name} ({p.location}, {p.type}, {req}) {p.description[:90]}")
    if spec.return_type:
        click.echo(f"  returns {spec.return_type}")
    click.echo(f"  source: {spec.source.name} {spec.source.format} sha256={spec.source.sha256[:12]}")


@specs.command("add")
@click.argument("name")
@click.argument("source")
@click.option("--format", "fmt", default=None, help="Spec format; detected when omitted.")
@click.option("--provider", default=None, help="Provider name (default: NAME).")
@click.option("--service", default=None, help="Service name for single-service specs.")
@click.option("--replace", is_flag=True, help="Replace a source of that name (its URL, format).")
@friendly_errors
def specs_add(name: str, source: str, fmt: str | None, provider: str | None,
              service: str | None, replace: bool = False) -> None:
    """Add a spec source (URL or file); it is fetched and parsed before it is saved."""
    from pathlib import Path

    from mcp_sre.specs.model import SpecSource

    url = source
    if "://" not in source and Path(source).exists():
        url = str(Path(source).resolve())
    row = _catalog().add_source(SpecSource(name=name, provider=provider or name, url=url,
                                           format=fmt, service=service), replace=replace)
    click.echo(f"{'replaced' if replace else 'added'} {row.name}: {row.operations} operations "
               f"({row.format})")


@specs.command("export")
@click.argument("name")
@click.option("--format", "fmt", default="openapi", show_default=True,
              help="Output format (openapi: an OpenAPI 3 document, e.g. for a mock server).")
@click.option("-o", "--output", default="-", show_default=True, help="File to write, or -.")
@click.option("--only", "only", multiple=True,
              help="Export only operation ids matching this glob (repeatable).")
@friendly_errors
def specs_export(name: str, fmt: str, output: str, only: tuple[str, ...]) -> None:
    """Write source NAME's operations as one document (served by mock servers in tests)."""
    import fnmatch
    from pathlib import Path

    from mcp_sre.config import atomic_write
    from mcp_sre.specs.export import to_openapi

    ops = [op for op in _catalog().operations(name)
           if not only or any(fnmatch.fnmatchcase(op.id, glob) for glob in only)]
    doc = to_openapi(ops, title=name, fmt=fmt)
    text = json.dumps(doc, indent=1, ensure_ascii=False)
    if output == "-":
        click.echo(text)
    else:
        atomic_write(Path(output), text + "\n")
        click.echo(f"wrote {len(doc['paths'])} paths of {name} to {output}", err=True)


# ------------------------------------------------------------------------------------ serve
@main.command()
@click.option("--transport", type=click.Choice(["stdio", "sse", "streamable-http"]),
              default="stdio", show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--token", envvar="MCP_SRE_TOKEN", default=None,
              help="Bearer token required on every HTTP request (env MCP_SRE_TOKEN).")
@click.option("--metrics-port", type=int, default=None,
              help="Also serve Prometheus /metrics on this port (for stdio; the HTTP "
                   "transports serve /metrics on --port too).")
@click.option("--all-tools", is_flag=True,
              help="List every registered tool in tools/list (no tool budget).")
@click.option("--allow-host", "allow_hosts", multiple=True,
              help="Another Host header name the HTTP server answers to (repeatable).")
@click.option("--allow-origin", "allow_origins", multiple=True,
              help="A browser Origin allowed to call the HTTP server (repeatable).")
@click.option("--no-token", "no_token", is_flag=True,
              help="Serve a non-loopback address (or its metrics port) without a token: an "
                   "explicit opt-out, for a network you control.")
@friendly_errors
def serve(transport: str, host: str, port: int, token: str | None, metrics_port: int | None,
          all_tools: bool, allow_hosts: tuple[str, ...] = (),
          allow_origins: tuple[str, ...] = (), no_token: bool = False) -> None:
    """Run the MCP server."""
    from mcp_sre.server.transport import run_server

    run_server(transport=transport, host=host, port=port, token=token,
               metrics_port=metrics_port, all_tools=all_tools,
               allowed_hosts=allow_hosts, allowed_origins=allow_origins, no_token=no_token)


# ----------------------------------------------------------------------------------- config
_CLIENT_ENV = ("KUBECONFIG", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION")


def _client_env(home: str | None) -> dict[str, str]:
    """What an MCP client must pass so the server sees the clusters and accounts you do."""
    env = {k: os.environ[k] for k in _CLIENT_ENV if os.environ.get(k)}
    if "KUBECONFIG" in env:
        env["KUBECONFIG"] = os.pathsep.join(
            os.path.abspath(os.path.expanduser(p)) for p in env["KUBECONFIG"].split(os.pathsep))
    chosen = home or os.environ.get("MCP_SRE_HOME")
    if chosen:
        env["MCP_SRE_HOME"] = os.path.abspath(os.path.expanduser(chosen))
    return env


@main.command("config")
@click.argument("client", type=click.Choice(["claude-desktop", "claude-code", "vscode", "cursor"]))
@click.option("--home", default=None, help="MCP_SRE_HOME to pass to the server.")
def config_snippet(client: str, home: str | None) -> None:
    """Print the configuration snippet that adds mcp-sre to an MCP client.

    The snippet carries the environment the server needs to see what you see (KUBECONFIG,
    AWS_PROFILE, AWS_REGION, MCP_SRE_HOME: the ones set here) and names ``mcp-sre``, not a
    virtualenv's path (which breaks when the environment is rebuilt)."""
    command = "mcp-sre"
    env = _client_env(home)
    server: dict[str, Any] = {"command": command, "args": ["serve"]}
    if env:
        server["env"] = env
    if client == "claude-code":
        flags = "".join(f" -e {k}={v}" for k, v in env.items())
        click.echo(f"claude mcp add mcp-sre{flags} -- {command} serve")
        return
    if client == "vscode":  # .vscode/mcp.json
        _dump({"servers": {"mcp-sre": {"type": "stdio", **server}}})
        return
    _dump({"mcpServers": {"mcp-sre": server}})  # claude_desktop_config.json, ~/.cursor/mcp.json

