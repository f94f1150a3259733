"""``mcp-sre run FILE.py``: run a program in the sandbox from the command line.

Attach with ``main.add_command(run_command)``. Exit status says what happened, so scripts can
branch on it without parsing: 0 success, 1 the program failed (exception, cloud error, bad
parameters), 2 usage error, 3 policy refusal, 4 static-check rejection, 5 timeout, 6 memory or
output cap. Without ``--json`` the program's stdout/stderr pass through and a failure adds one
``error: <type>: <message>`` line on stderr.

Host-side settings for the clouds are given as ``--context PROVIDER.KEY=VALUE`` (repeatable,
e.g. ``--context aws.profile=dev``); the core passes them to that provider's plugin without
reading them. ``*.KEY=VALUE`` (and ``--region``) apply to every provider.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from mcp_sre.errors import McpSreError

__all__ = ["EXIT_CODES", "run_command"]

EXIT_CODES: dict[str, int] = {
    "policy_denied": 3,
    "static_check": 4,
    "timeout": 5,
    "memory_limit": 6,
    "output_limit": 6,
}


def _read_program(file: str) -> str:
    try:
        if file == "-":
            return sys.stdin.read()
        return Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.UsageError(f"cannot read {file}: {exc}") from exc


def _inputs(raw: str | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    text = Path(raw[1:]).read_text(encoding="utf-8") if raw.startswith("@") else raw
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise click.UsageError(f"--inputs is not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise click.UsageError("--inputs must be a JSON object")
    return value


def _context(pairs: tuple[str, ...], region: str | None) -> dict[str, dict[str, str]] | None:
    """``("aws.profile=dev", "*.region=eu-west-1")`` -> ``{"aws": {"profile": "dev"}, ...}``."""
    context: dict[str, dict[str, str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        provider, dot, name = key.strip().partition(".")
        if not (sep and dot and provider and name):
            raise click.UsageError(f"--context {pair!r}: expected PROVIDER.KEY=VALUE")
        context.setdefault(provider, {})[name] = value
    if region:
        context.setdefault("*", {})["region"] = region
    return context or None


@click.command("run")
@click.argument("file", type=str)
@click.option("--provider", "providers", multiple=True, metavar="NAME",
              help="Enable only this provider's operations (repeatable). Default: all.")
@click.option("--timeout", "timeout_s", type=click.FloatRange(0.1, 600), default=30.0,
              show_default=True, help="Wall-clock limit in seconds.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON.")
@click.option("--inputs", "raw_inputs", metavar="JSON|@FILE",
              help="JSON object available to the program as sre.inputs.")
@click.option("--context", "context_pairs", multiple=True, metavar="PROVIDER.KEY=VALUE",
              help="A host-side setting that PROVIDER's plugin reads, such as a profile or a "
              "namespace (repeatable; PROVIDER * means every provider).")
@click.option("--region", help="Cloud region for this run, for every provider (host side).")
@click.option("--memory-mb", type=click.IntRange(32, 4096), default=256, show_default=True,
              help="Guest memory cap.")
@click.option("--allow-writes", is_flag=True,
              help="Allow write operations (a person's explicit choice; off by default).")
@click.option("--allow-write", "allow_write_ops", multiple=True, metavar="GLOB",
              help="Allow only the write operations matching GLOB (repeatable).")
def run_command(file: str, providers: tuple[str, ...], timeout_s: float, as_json: bool,
                raw_inputs: str | None, context_pairs: tuple[str, ...], region: str | None,
                memory_mb: int, allow_writes: bool, allow_write_ops: tuple[str, ...]) -> None:
    """Run FILE (or - for stdin) in the sandbox, read-only against the clouds."""
    from mcp_sre.sandbox.runner import Sandbox

    code = _read_program(file)
    inputs = _inputs(raw_inputs)
    context = _context(context_pairs, region)
    writes: bool | list[str] = True if allow_writes else list(allow_write_ops)
    try:
        box = Sandbox(context=context, memory_mb=memory_mb)
        result = box.run(code, providers=list(providers) or None, timeout_s=timeout_s,
                         allow_writes=writes or False, inputs=inputs)
    except McpSreError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(result.model_dump_json(indent=2))
    else:
        if result.stdout:
            click.echo(result.stdout, nl=False)
        if result.stderr:
            click.echo(result.stderr, nl=False, err=True)
        if result.error is not None:
            message = " ".join(result.error.message.split())
            click.echo(f"error: {result.error.type}: {message}", err=True)
    if result.error is not None:
        sys.exit(EXIT_CODES.get(result.error.type, 1))
