"""``mcp-sre health SCOPE`` and ``mcp-sre eval health DIR``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import click

from mcp_sre.cli import friendly_errors

__all__ = ["build_agent", "eval_health", "health_command"]


def build_agent(
    config: Path | None = None, providers: tuple[str, ...] = (), learner: Any = None
) -> Any:
    """A :class:`HealthAgent` on the spec catalog, the plugins and the user's settings."""
    from mcp_sre.agents.health.config import load_health_config
    from mcp_sre.agents.health.learn import learner_from_env
    from mcp_sre.agents.health.report import HealthAgent
    from mcp_sre.config import load_settings
    from mcp_sre.sandbox.runner import CatalogOperations
    from mcp_sre.specs.catalog import SpecCatalog

    settings = load_settings()
    catalog = SpecCatalog(settings)
    return HealthAgent(
        catalog.pm,
        CatalogOperations(catalog),
        config=load_health_config(config, home=Path(settings.home)),
        home=Path(settings.home),
        providers=list(providers) or None,
        learner=learner if learner is not None else learner_from_env(),
    )


@click.command("health")
@click.argument("scope", required=False)
@click.option("--json", "as_json", is_flag=True, help="The report as JSON (for agents)")
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="Language of the report (default: the request's)",
)
@click.option("--list-scopes", is_flag=True, help="List the businesses tags and labels reveal")
@click.option(
    "--config",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    help="Thresholds/scope YAML over the shipped and $MCP_SRE_HOME ones",
)
@click.option(
    "--provider",
    "providers",
    multiple=True,
    help="Only these providers (default: every configured one)",
)
@friendly_errors
def health_command(
    scope: str | None,
    as_json: bool,
    lang: str | None,
    list_scopes: bool,
    config: Path | None,
    providers: tuple[str, ...],
) -> None:
    """Health report of a business across clouds, e.g. mcp-sre health "电商平台" (read-only)."""
    from mcp_sre.agents.health.render import render_markdown, render_scopes
    from mcp_sre.errors import ValidationError

    agent = build_agent(config, providers)
    if list_scopes:
        found = anyio.run(agent.list_scopes)
        click.echo(
            json.dumps(found, ensure_ascii=False, indent=2)
            if as_json
            else render_scopes(found, lang or "en")
        )
        return
    if not scope:
        raise ValidationError(
            "name a business, e.g. mcp-sre health shop",
            hint="mcp-sre health --list-scopes shows the ones tags reveal",
        )
    report = anyio.run(lambda: agent.report(scope, lang=lang))
    click.echo(report.model_dump_json(indent=2) if as_json else render_markdown(report))


@click.command("health")
@click.argument("folder", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON object with the scores")
@click.option("--case", "only", multiple=True, help="Run only these case folders")
@friendly_errors
def eval_health(folder: Path, as_json: bool, only: tuple[str, ...]) -> None:
    """Build each case folder on local targets and score the health reports."""
    from mcp_sre.agents.health.evaluate_cases import format_summary, run_cases

    summary = run_cases(folder, only=list(only) or None)
    click.echo(
        json.dumps(summary, ensure_ascii=False, indent=2) if as_json else format_summary(summary)
    )
