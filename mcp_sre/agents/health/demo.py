"""The demo's e-commerce platform and its health report (for ``mcp-sre demo``).

:func:`ecommerce_platform` builds ``demo_platform/`` -- AWS state (instances, CPU metrics, an
alarm, logs with errors, X-Ray traces), a Kubernetes scenario and Prometheus history -- on
local targets through the plugins' ``local_targets`` hook, and yields the host environment
that points at them. :func:`print_health_report` prints the report (Chinese by default).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio

from mcp_sre.agents.health.report import HealthAgent
from mcp_sre.agents.health.schema import HealthReport

__all__ = ["PLATFORM", "QUESTION", "ecommerce_platform", "print_health_report"]

PLATFORM = Path(__file__).with_name("demo_platform")
QUESTION = "帮我分析电商平台业务的健康状况"


@contextlib.contextmanager
def ecommerce_platform(workdir: Path, pm: Any = None) -> Iterator[dict[str, str]]:
    """Start the local targets the plugins offer for the platform's files; yield their env."""
    if pm is None:
        from mcp_sre.plugin_manager import make_plugin_manager

        pm = make_plugin_manager()
    targets = {k: v for found in pm.hook.local_targets() or [] for k, v in (found or {}).items()}
    env: dict[str, str] = {}
    with contextlib.ExitStack() as stack:
        for name, (provider, factory) in sorted(targets.items()):
            if (PLATFORM / name).is_file():
                env.update(stack.enter_context(factory(PLATFORM / name, workdir / provider)))
        yield env


def print_health_report(
    env: dict[str, str] | None = None,
    question: str = QUESTION,
    *,
    lang: str | None = None,
    console: Any = None,
    home: Path | None = None,
) -> HealthReport:
    """Run the report with ``env`` applied to this process and print it as Markdown (through
    a rich ``console`` when given)."""
    from mcp_sre.agents.health.render import render_markdown
    from mcp_sre.config import load_settings
    from mcp_sre.sandbox.runner import CatalogOperations
    from mcp_sre.specs.catalog import SpecCatalog

    saved = {k: os.environ.get(k) for k in env or {}}
    os.environ.update(env or {})
    try:
        settings = load_settings()
        catalog = SpecCatalog(settings)
        agent = HealthAgent(
            catalog.pm, CatalogOperations(catalog), home=home or Path(settings.home)
        )
        report = anyio.run(lambda: agent.report(question, lang=lang))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    text = render_markdown(report)
    if console is not None:
        from rich.markdown import Markdown

        console.print(Markdown(text))
    else:
        print(text)
    return report
