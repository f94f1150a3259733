"""The MCP tool ``diagnose``: a layered root-cause report for a failing workload, read-only.

Uses the client's model through sampling (or the configured endpoint) when there is one, else
the rules alone; progress notifications follow the evidence collection.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from mcp_sre.server.app import client_session, progress_reporter, tool_errors
from mcp_sre.server.sdk import Context, FastMCP

if TYPE_CHECKING:
    from mcp_sre.server import ServerState

__all__ = ["register_diagnosis_tools"]


def register_diagnosis_tools(mcp: FastMCP, state: ServerState) -> None:
    @functools.lru_cache(maxsize=1)
    def diagnoser() -> Any:
        from mcp_sre.agents.diagnosis import Diagnoser

        agent = Diagnoser(state.sandbox)
        if state.learner is not None:  # feedback on earlier diagnoses reweighs root rules
            agent.evidence_weight = functools.partial(state.learner.evidence_weight,
                                                      "diagnosis")
        return agent

    @mcp.tool(annotations={"readOnlyHint": True, "openWorldHint": True})
    @tool_errors
    async def diagnose(
        question: Annotated[str, Field(description="The question, in English or Chinese, e.g. "
                                       "'web-app 一直 CrashLoopBackOff, 为什么?'")],
        target: Annotated[dict[str, str] | None, Field(description="Optional {kind, namespace, "
                                                       "name} of the object asked about")] = None,
        lang: Annotated[str | None, Field(description="Report language zh|en (default: the "
                                          "question's)")] = None,
        use_llm: Annotated[bool, Field(description="Let a model (sampling or the configured "
                                       "endpoint) reason over the evidence")] = True,
        ctx: Context | None = None,
    ) -> dict[str, Any]:
        """Find why a workload fails: walks the objects around the target (owners, pods,
        node, claims, config, policies, services, events, current and previous logs) through the
        read-only bridge, ranks anomaly signals and returns a layered report (symptom, direct
        cause, root cause, quoted evidence with operation ids, fix never applied, prevention,
        confidence, what was checked / ruled out / could not be seen) plus its Markdown."""
        from mcp_sre.agents.diagnosis import diagnose_report, to_markdown

        model, label = None, ""
        if use_llm:
            from mcp_sre.llm.resolve import resolve_llm

            choice = resolve_llm(client_session(ctx))
            model, label = choice.llm, choice.label
        report_progress = progress_reporter(ctx)
        agent = diagnoser()
        with state.observability.agent_run("diagnosis", llm=label or "none") as run:
            report = await diagnose_report(agent, question, target, lang=lang, llm=model,
                                           llm_label=label, progress=report_progress)
            run.outcome = report.status  # problem_found, nothing_abnormal, target_not_found
        learner = state.learner
        if learner is not None:  # feedback on this diagnosis reweighs its root rule next time
            ref = learner.record("diagnosis", question, {
                "signals": [report.root_rule] if report.root_rule else [],
                "root_cause": report.root_cause}, "d")
        return {"report": report.model_dump(mode="json"),
                "markdown": to_markdown(report, agent.knowledge.texts),
                **({"ref": ref} if learner is not None else {})}
