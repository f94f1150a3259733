"""The DiagnosticAgent: why is this workload failing, answered with evidence.

Public API::

    from mcp_sre.agents.diagnosis import build_diagnoser, diagnose_report
    diagnoser = build_diagnoser()                     # knowledge from the plugins
    report = diagnoser.diagnose("web-app 一直 CrashLoopBackOff, 为什么?")
    print(to_markdown(report, diagnoser.knowledge.texts))

``diagnose_report`` adds the optional LLM loop (``react.py``); both paths return the same
:class:`DiagnosisReport`.
"""

from __future__ import annotations

from typing import Any

from mcp_sre.agents.diagnosis.agent import Diagnoser, Run, detect_language
from mcp_sre.agents.diagnosis.models import (
    DiagnosisError,
    DiagnosisReport,
    Evidence,
    ObjectRef,
    Signal,
    Step,
)
from mcp_sre.agents.diagnosis.render import to_markdown

__all__ = [
    "Diagnoser",
    "DiagnosisError",
    "DiagnosisReport",
    "Evidence",
    "ObjectRef",
    "Run",
    "Signal",
    "Step",
    "build_diagnoser",
    "demo_diagnosis",
    "detect_language",
    "diagnose_report",
    "to_markdown",
]


def build_diagnoser(settings: Any = None, pm: Any = None, catalog: Any = None,
                    sandbox: Any = None, context: dict[str, dict[str, Any]] | None = None
                    ) -> Diagnoser:
    """A diagnoser whose reads go through a sandbox's bridge and policy (built if not given;
    building one compiles nothing: only its host side is used)."""
    if sandbox is None:
        from mcp_sre.sandbox import Sandbox

        if catalog is None:
            from mcp_sre.specs.catalog import SpecCatalog

            catalog = SpecCatalog(settings) if settings is not None else SpecCatalog()
        sandbox = Sandbox(settings=settings or catalog.settings, pm=pm or catalog.pm,
                          operation_lookup=catalog.get)
    return Diagnoser(sandbox, context=context)


async def diagnose_report(diagnoser: Diagnoser, question: str, target: Any = None, *,
                          namespace: str | None = None, lang: str | None = None,
                          llm: Any = None, llm_label: str = "", progress: Any = None,
                          llm_timeout_s: float = 60.0) -> DiagnosisReport:
    """The evidence report, then (with ``llm``) the ReAct loop over it; a failing LLM falls
    back to the evidence report and says so in ``note``."""
    import anyio

    from mcp_sre.agents.diagnosis.react import react_report

    run = await anyio.to_thread.run_sync(
        lambda: diagnoser.run(question, target, namespace=namespace, lang=lang,
                              progress=progress), abandon_on_cancel=True)
    if llm is None or run.report.status == "target_not_found":
        return run.report
    return await react_report(run, diagnoser, llm, label=llm_label, timeout_s=llm_timeout_s)


def demo_diagnosis(question: str, target: Any = None,
                   context: dict[str, dict[str, Any]] | None = None) -> str:
    """One call for the demo: diagnose against ``context``'s cluster, return Markdown."""
    diagnoser = build_diagnoser(context=context)
    report = diagnoser.diagnose(question, target)
    return to_markdown(report, diagnoser.knowledge.texts)
