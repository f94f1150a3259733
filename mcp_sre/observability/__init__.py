"""Observability of the server itself: structured logs, Prometheus metrics, optional traces.

For agents (diagnosis, health, ...)::

    from mcp_sre import observability

    with observability.agent_run("diagnosis") as run:       # new run id, span, metrics
        with run.step("gather_evidence", provider="aws"):   # span + one log event
            ...
        run.decision("rule_matched", rule="oom-kill")
        run.outcome = "found"                               # default "ok"; exceptions: "error"

Everything logged inside carries the request id of the tool call and the run id.
"""

from mcp_sre.observability.context import bind_ids, current, current_ids, new_id, use
from mcp_sre.observability.core import DISABLED, AgentRun, Observability
from mcp_sre.observability.logs import configure_logging, get_logger, redact_secrets
from mcp_sre.observability.metrics import Metrics, SourceFreshness

__all__ = [
    "DISABLED",
    "AgentRun",
    "Metrics",
    "Observability",
    "SourceFreshness",
    "agent_run",
    "bind_ids",
    "configure_logging",
    "current",
    "current_ids",
    "get_logger",
    "new_id",
    "redact_secrets",
    "use",
]


def agent_run(agent: str, **fields: object) -> object:
    """``with agent_run("health") as run:`` on the current observability (see the module
    docstring); outside a server it still sets a run id and logs nothing."""
    return current().agent_run(agent, **fields)
