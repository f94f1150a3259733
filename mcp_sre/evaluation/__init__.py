"""One evaluation harness: every suite (retrieval per labelled set, tool reuse, code
generation, diagnosis, health, and whatever a plugin adds), a baseline kept in the repository,
a noise band per metric, and a report; ``mcp-sre eval all`` exits 1 on a regression."""

from mcp_sre.evaluation.models import Change, Metric, RunReport, SuiteResult
from mcp_sre.evaluation.runner import run_all
from mcp_sre.evaluation.suites import (
    EvalContext,
    Suite,
    SuiteSkipped,
    callable_suite,
    command_suite,
    default_suites,
)

__all__ = ["Change", "EvalContext", "Metric", "RunReport", "Suite", "SuiteResult",
           "SuiteSkipped", "callable_suite", "command_suite", "default_suites", "run_all"]
