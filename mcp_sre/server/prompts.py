"""Prompts that assistants show to people as ready-made SRE tasks."""

from __future__ import annotations

from typing import Annotated

from mcp.server.fastmcp import FastMCP
from pydantic import Field

__all__ = ["register_prompts"]


def register_prompts(mcp: FastMCP) -> None:
    @mcp.prompt(title="Diagnose a failing pod")
    def diagnose_pod(
        pod: Annotated[str, Field(description="Pod name")],
        namespace: Annotated[str, Field(description="Namespace")] = "default",
    ) -> str:
        """Find why a Kubernetes pod is failing, read-only."""
        return (
            f"Diagnose why pod {pod!r} in namespace {namespace!r} is failing. Work read-only.\n"
            "1. search_apis for the operations that read a pod, its events and its logs.\n"
            "2. Read the pod (status, container states, last termination reason, restarts), "
            "its events, and the previous container's logs with run_code.\n"
            "3. Check the node it runs on for pressure conditions and the owning workload.\n"
            "4. Give the root cause with the evidence (quote the fields and log lines), then "
            "the fix a person should apply. Do not change anything yourself."
        )

    @mcp.prompt(title="Health report for a business")
    def health_report(
        business: Annotated[str, Field(description="Business or application name, e.g. shop")],
        window: Annotated[str, Field(description="Time window, e.g. 1h, 24h")] = "1h",
    ) -> str:
        """A read-only health report across the clouds a business runs on."""
        return (
            f"Write a health report for {business!r} over the last {window}. Work read-only.\n"
            "Find its resources (Kubernetes namespace or labels, cloud tags), then check: "
            "workloads not ready or restarting, warning events, nodes under pressure, instances "
            "with high CPU, error counts in logs, unhealthy load balancer targets, slow traces. "
            "Use search_apis and get_api_spec to find operations and run_code to read them. "
            "Report: overall status (ok / degraded / down), the findings with evidence, and "
            "suggested actions."
        )
