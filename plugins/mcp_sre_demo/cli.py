"""The ``demo`` subcommand (registered in the ``mcp_sre.cli`` entry-point group)."""

from __future__ import annotations

import sys

import click

from mcp_sre.cli import friendly_errors

__all__ = ["demo"]


@click.command("demo")
@click.option("--keep", is_flag=True, help="Keep the demo's work directory, and leave a "
              "Prometheus (when installed) with the server's metrics running.")
@friendly_errors
def demo(keep: bool) -> None:
    """See the whole product work end to end on local targets."""
    from mcp_sre_demo.run import run_demo

    sys.exit(run_demo(keep=keep))
