"""The health report's data model: what agents read (JSON) and what the Markdown is made from.

Every status comes with the signals behind it, and the score with the deductions that made it,
so a person (or another agent) can check each conclusion against its evidence.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

__all__ = [
    "ComponentHealth",
    "Deduction",
    "HealthReport",
    "HealthStatus",
    "LogHealth",
    "MetricHealth",
    "Problem",
    "ResourceHealth",
    "ScopeMatch",
    "SourceReport",
    "TraceHealth",
    "worst",
]


class HealthStatus(StrEnum):
    """How a signal, a component or the whole business is doing."""

    healthy = "healthy"
    degraded = "degraded"
    unhealthy = "unhealthy"
    unknown = "unknown"


_RANK = {
    HealthStatus.healthy: 0,
    HealthStatus.unknown: 1,
    HealthStatus.degraded: 2,
    HealthStatus.unhealthy: 3,
}


def worst(
    statuses: list[HealthStatus], *, empty: HealthStatus = HealthStatus.unknown
) -> HealthStatus:
    """The worst of several statuses; ``unknown`` ranks above healthy (not seeing is a risk)."""
    return max(statuses, key=_RANK.__getitem__) if statuses else empty


class MetricHealth(BaseModel):
    """One metric of one component against its thresholds."""

    name: str = Field(description="Canonical metric name, e.g. cpu_utilization, error_rate")
    source: str = Field(description="Where the values came from (operation id)")
    value: float | None = Field(
        default=None,
        description="The value judged (aggregated over "
        "the window as the threshold says); None when there is no data",
    )
    unit: str = Field(default="", description="Unit of value, e.g. percent, seconds, ratio")
    points: int = Field(default=0, description="Data points seen in the window")
    warn: float | None = Field(default=None, description="Threshold for degraded")
    crit: float | None = Field(default=None, description="Threshold for unhealthy")
    direction: Literal["above", "below"] = Field(
        default="above", description="above: higher is worse; below: lower is worse"
    )
    status: HealthStatus = Field(description="Status of this metric")
    reason: str = Field(
        default="",
        description="Why, in words (e.g. 'no data', 'unit bytes is not the expected percent')",
    )


class LogHealth(BaseModel):
    """Error lines in one component's logs over the window."""

    source: str = Field(description="Operation id the log events came from")
    stream: str = Field(default="", description="Log group, pod or stream read")
    total: int = Field(default=0, description="Log events read")
    errors: int = Field(default=0, description="Events that match an error pattern")
    samples: list[str] = Field(default_factory=list, description="Up to 3 error lines")
    status: HealthStatus = Field(description="Status from the error count thresholds")


class TraceHealth(BaseModel):
    """Request traces of one component (service) over the window."""

    source: str = Field(description="Operation id the traces came from")
    traces: int = Field(default=0, description="Traces seen")
    error_rate: float | None = Field(
        default=None, description="Share of traces with an error or fault, 0..1"
    )
    p95_s: float | None = Field(default=None, description="95th percentile latency, seconds")
    status: HealthStatus = Field(description="Status from the error-rate and latency thresholds")


class ResourceHealth(BaseModel):
    """A state the provider reports for the resource itself (instance state, status check,
    alarm, readiness, node condition, Kubernetes warning events)."""

    signal: str = Field(
        description="Which state, e.g. instance_status, alarm, "
        "condition:Ready, waiting_reason, warning_event"
    )
    value: str = Field(description="The state as the provider spells it")
    source: str = Field(description="Operation id it came from")
    status: HealthStatus = Field(description="Status the mapping rule gives that state")
    detail: str = Field(default="", description="Message or reason the provider attached")


class Deduction(BaseModel):
    """One subtraction from a score, and the signal that caused it."""

    points: float = Field(description="Points subtracted")
    signal: str = Field(description="The signal, e.g. 'metric cpu_utilization=92 (> 90)'")
    component: str = Field(
        default="",
        description="Component the signal belongs to; empty for business-level deductions",
    )


class ScopeMatch(BaseModel):
    """How a resource was found to belong to the business."""

    provider: str = Field(description="Provider that holds the resource")
    via: str = Field(description="tag, label, namespace, name, placement, ...")
    key: str = Field(default="", description="Tag or label key that matched")
    value: str = Field(default="", description="Its value")


class ComponentHealth(BaseModel):
    """One part of the business: an instance, load balancer, database, deployment, node,
    queue, service..."""

    name: str = Field(description="Display name (Name tag, object name, service label)")
    kind: str = Field(description="Component kind, e.g. instance, deployment, node, service")
    provider: str = Field(description="Provider name, as its plugin calls it")
    id: str = Field(default="", description="Provider's identifier (instance id, namespace/name)")
    status: HealthStatus = Field(
        description="Worst status of its signals; unknown when none could be read"
    )
    score: float = Field(description="0-100, 100 minus the deductions")
    matched: list[ScopeMatch] = Field(
        default_factory=list, description="How it was found to belong to the business"
    )
    members: list[str] = Field(
        default_factory=list,
        description="Identifiers of the resources "
        "and series merged into it (its pods, log groups, series...)",
    )
    metrics: list[MetricHealth] = Field(default_factory=list, description="Metric signals")
    logs: list[LogHealth] = Field(default_factory=list, description="Log signals")
    traces: list[TraceHealth] = Field(default_factory=list, description="Trace signals")
    resources: list[ResourceHealth] = Field(
        default_factory=list, description="Provider-reported states"
    )
    deductions: list[Deduction] = Field(default_factory=list, description="Score deductions")
    reason: str = Field(default="", description="Why the status is unknown, when it is")


class Problem(BaseModel):
    """A finding, ranked by severity, with evidence and what to do."""

    component: str = Field(description="Component name")
    status: HealthStatus = Field(description="degraded or unhealthy")
    title: str = Field(description="What is wrong, one line")
    evidence: list[str] = Field(default_factory=list, description="Signals that show it")
    fix: str = Field(default="", description="Suggested fix")
    follow_up: str = Field(default="", description="What to check next")


class SourceReport(BaseModel):
    """What one data source gave: what was looked at, and what could not be seen."""

    provider: str = Field(description="Provider name")
    ok: bool = Field(description="False when the source failed or timed out")
    calls: int = Field(default=0, description="Read calls made through the bridge")
    failed: int = Field(default=0, description="Calls that failed")
    seconds: float = Field(default=0.0, description="Time spent")
    error: str = Field(default="", description="Why it failed, when it did")
    unmapped: list[str] = Field(
        default_factory=list,
        description="Response shapes no mapping rule knew (reported as unknown, never guessed)",
    )


class HealthReport(BaseModel):
    """The health of one business across clouds."""

    scope: str = Field(description="The request (or business name) as asked")
    business: str = Field(
        default="", description="The business the report is about, as the request named it"
    )
    matched_values: list[str] = Field(
        default_factory=list, description="Tag/label values taken as this business"
    )
    language: Literal["zh", "en"] = Field(default="en", description="Language of the texts")
    generated_at: datetime = Field(
        default_factory=lambda: datetime.now(UTC), description="When the report was made"
    )
    window_minutes: int = Field(default=60, description="Look-back window of the signals")
    status: HealthStatus = Field(description="Overall status")
    score: float = Field(description="0-100 business score (weighted mean of components)")
    components: list[ComponentHealth] = Field(
        default_factory=list, description="Components, worst first"
    )
    problems: list[Problem] = Field(default_factory=list, description="Ranked findings")
    sources: list[SourceReport] = Field(
        default_factory=list, description="Per source: what was read and what failed"
    )
    notes: list[str] = Field(
        default_factory=list, description="What the report could not see, ambiguities, candidates"
    )
    candidates: list[str] = Field(
        default_factory=list,
        description="Business names that exist, when the request matched none or several",
    )
    seconds: float = Field(default=0.0, description="Time to produce the report")
