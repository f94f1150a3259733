"""Prompts that assistants show to people as ready-made SRE tasks."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from mcp_sre.server.sdk import FastMCP

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
            f"1. Call the diagnose tool with question \"why is pod {pod} failing?\" and target "
            f"{{\"kind\": \"Pod\", \"namespace\": \"{namespace}\", \"name\": \"{pod}\"}}.\n"
            "2. Present its report: symptom, direct cause, root cause, the quoted evidence, "
            "the fix (a person applies it) and what it could not see.\n"
            "3. If the report is unsure, read more with search_apis and run_code (read-only) "
            "and say what you added. Do not change anything yourself."
        )

    @mcp.prompt(title="Health report for a business")
    def health_report(
        business: Annotated[str, Field(description="Business or application name, e.g. shop")],
        window: Annotated[str, Field(description="Time window, e.g. 1h, 24h")] = "1h",
    ) -> str:
        """A read-only health report across the clouds a business runs on."""
        return (
            f"Write a health report for {business!r} over the last {window}. Work read-only.\n"
            f"1. Call the health_report tool with scope={business!r}: it finds the business's "
            "resources by tags, labels and namespaces across the configured clouds, judges "
            "their states, metrics, logs and traces against thresholds, and returns the status, "
            "a 0-100 score whose deductions name their signals, and ranked problems.\n"
            "2. If it returns candidates instead (an untagged or ambiguous name), ask which "
            "business is meant, or report each candidate.\n"
            "3. For each problem, quote its evidence; dig deeper with search_apis and run_code "
            "where the report says a source could not be read.\n"
            "4. Answer in the language of the request: overall status (healthy / degraded / "
            "unhealthy / unknown), the problems with evidence, the fixes, and what could not be "
            "seen. Do not change anything yourself."
        )
