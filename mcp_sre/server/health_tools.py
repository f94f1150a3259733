"""MCP tool ``health_report``: the health of a business across clouds, with progress.

The same :class:`~mcp_sre.agents.health.HealthAgent` as ``mcp-sre health``: read-only calls
through the bridge, rules from the plugins' mappings; a shape no rule knows is learned with the
server's model (endpoint or the client's sampling) when there is one, else reported unknown.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from mcp_sre.server.app import tool_errors
from mcp_sre.server.sdk import Context, FastMCP

if TYPE_CHECKING:
    from mcp_sre.server import ServerState

__all__ = ["register_health_tools"]

log = logging.getLogger("mcp_sre.server")


def register_health_tools(mcp: FastMCP, state: ServerState) -> None:
    @mcp.tool(annotations={"readOnlyHint": True, "openWorldHint": True})
    @tool_errors
    async def health_report(
        scope: Annotated[
            str,
            Field(
                description="The business, or the request naming it, in any "
                "language, e.g. '电商平台', 'checkout', 'health of shop'"
            ),
        ],
        lang: Annotated[
            Literal["zh", "en"] | None,
            Field(description="Language of the report (default: the request's)"),
        ] = None,
        providers: Annotated[
            list[str] | None,
            Field(
                description="Only these providers, e.g. ['aws', 'kubernetes']; omit for every "
                "configured one"
            ),
        ] = None,
        ctx: Context | None = None,
    ) -> dict[str, Any]:
        """Health report of a business across clouds (read-only): finds its resources by
        tags, labels and namespaces, reads states, metrics, logs and traces in parallel,
        judges them against thresholds and returns the overall status, a 0-100 score whose
        deductions name their signals, each component with its evidence, ranked problems
        with fixes, and what could not be seen. `report` is the JSON model, `markdown` the
        same for people. An unknown or ambiguous business returns the candidates."""
        from mcp_sre.agents.health.learn import RuleLearner
        from mcp_sre.agents.health.render import render_markdown
        from mcp_sre.agents.health.report import HealthAgent
        from mcp_sre.llm.resolve import resolve_llm
        from mcp_sre.sandbox.runner import CatalogOperations

        session = None
        if ctx is not None:
            try:
                session = ctx.session
            except ValueError:
                session = None
        choice = resolve_llm(session)
        learner = RuleLearner(choice.llm) if choice.llm is not None else None

        async def progress(done: float, total: float, message: str) -> None:
            if ctx is None:
                return
            try:
                await ctx.report_progress(done, total, message)
            except Exception as exc:  # the client went away; the report goes on
                log.debug("progress not delivered: %s", exc)

        agent = HealthAgent(
            state.pm,
            CatalogOperations(state.catalog),
            home=Path(state.settings.home),
            learner=learner,
            providers=providers,
        )
        with state.observability.agent_run("health", llm=choice.source) as run:
            report = await agent.report(scope, lang=lang, progress=progress)
            run.outcome = str(getattr(report.status, "value", report.status))  # the verdict
        answer = {
            "markdown": render_markdown(report),
            "report": report.model_dump(mode="json"),
            "llm": choice.label,
        }
        lessons = state.learner
        if lessons is not None:  # a person may override components: feedback(ref, ...)
            bad = [c.id for c in report.components
                   if str(getattr(c.status, "value", c.status)) == "unhealthy"]
            answer["ref"] = lessons.record("health", scope, {"signals": bad}, "h")
        return answer
