"""Thresholds, weights and the business-scope mapping: shipped YAML, overridable by the user.

Order (later wins, field by field): the shipped ``health.yaml`` -> ``$MCP_SRE_HOME/health.yaml``
-> a file given explicitly (``--config``/``MCP_SRE_HEALTH_CONFIG``). Thresholds can be set per
metric, then per component kind, then per business; the most specific one applies.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mcp_sre.agents.health.yamlfile import load_model, read_yaml

__all__ = ["SHIPPED", "HealthConfig", "MetricThreshold", "load_health_config"]

SHIPPED = Path(__file__).with_name("health.yaml")
Agg = Literal["avg", "max", "min", "last", "sum", "p95"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MetricThreshold(_Strict):
    """How one canonical metric is judged."""

    unit: str = Field(default="", description="Unit the thresholds are in")
    units: dict[str, float] = Field(
        default_factory=dict,
        description="Other accepted units and the factor that converts them into `unit`",
    )
    agg: Agg = Field(default="avg", description="How the window's points become one value")
    warn: float | None = Field(default=None, description="Degraded beyond this")
    crit: float | None = Field(default=None, description="Unhealthy beyond this")
    direction: Literal["above", "below"] = Field(default="above", description="Which side is bad")
    min_points: int = Field(default=1, description="Fewer points than this: unknown (no data)")
    label: dict[str, str] = Field(default_factory=dict, description="Name per language")
    fix: dict[str, str] = Field(default_factory=dict, description="Suggested fix per language")


class MetricOverride(_Strict):
    """A partial :class:`MetricThreshold` for a component kind or a business."""

    unit: str | None = None
    agg: Agg | None = None
    warn: float | None = None
    crit: float | None = None
    direction: Literal["above", "below"] | None = None
    min_points: int | None = None


class LogThresholds(_Strict):
    error_patterns: list[str] = Field(
        default_factory=list, description="Regexes (case-insensitive) of error lines"
    )
    warn: int = Field(default=1, description="Error lines for degraded")
    crit: int = Field(default=10, description="Error lines for unhealthy")
    fix: dict[str, str] = Field(default_factory=dict, description="Suggested fix per language")


class Band(_Strict):
    warn: float = Field(description="Degraded beyond this")
    crit: float = Field(description="Unhealthy beyond this")


class TraceThresholds(_Strict):
    error_rate: Band = Field(default_factory=lambda: Band(warn=0.05, crit=0.2))
    p95_s: Band = Field(default_factory=lambda: Band(warn=1.0, crit=3.0))
    min_traces: int = Field(default=1, description="Fewer traces: not judged")
    fix: dict[str, str] = Field(default_factory=dict, description="Suggested fix per language")


class Scoring(_Strict):
    """How statuses become points and how components become the business status."""

    deduction: dict[str, float] = Field(
        default_factory=lambda: {"degraded": 15.0, "unhealthy": 40.0, "unknown": 5.0},
        description="Points one signal of that status subtracts from its component",
    )
    kind_weights: dict[str, float] = Field(
        default_factory=dict,
        description="Weight of a component kind in the business score (default 1)",
    )
    unhealthy_share: float = Field(
        default=0.3,
        description="Weighted share of unhealthy components at which the business is unhealthy",
    )
    unknown_share: float = Field(
        default=0.5,
        description="Share of components with unknown status at which the business is unknown",
    )


class ScopeConfig(_Strict):
    """Which tag and label keys name a business, and what each business is also called."""

    keys: list[str] = Field(
        default_factory=list, description="Tag/label keys meaning 'business', in order of trust"
    )
    businesses: dict[str, list[str]] = Field(
        default_factory=dict, description="Business name -> aliases, in any language"
    )
    namespaces: bool = Field(
        default=True, description="A namespace named like the business puts its objects in scope"
    )
    system_namespaces: list[str] = Field(
        default_factory=list, description="Namespaces that never name a business"
    )


class StateAdvice(_Strict):
    fix: dict[str, str] = Field(default_factory=dict)
    follow_up: dict[str, str] = Field(default_factory=dict)


class HealthConfig(_Strict):
    window_minutes: int = Field(default=60, description="Look-back window")
    time_budget_s: float = Field(default=20.0, description="Collection time budget")
    metrics: dict[str, MetricThreshold] = Field(default_factory=dict)
    kinds: dict[str, dict[str, MetricOverride]] = Field(
        default_factory=dict, description="component kind -> metric -> override"
    )
    business: dict[str, dict[str, MetricOverride]] = Field(
        default_factory=dict, description="business -> metric -> override"
    )
    logs: LogThresholds = Field(default_factory=LogThresholds)
    traces: TraceThresholds = Field(default_factory=TraceThresholds)
    scoring: Scoring = Field(default_factory=Scoring)
    scope: ScopeConfig = Field(default_factory=ScopeConfig)
    advice: dict[str, StateAdvice] = Field(
        default_factory=dict, description="signal or state value -> fix and follow-up per language"
    )

    def threshold(self, metric: str, kind: str = "", business: str = "") -> MetricThreshold | None:
        base = self.metrics.get(metric)
        if base is None:
            return None
        for layer in (self.kinds.get(kind, {}), self.business.get(business, {})):
            override = layer.get(metric)
            if override is not None:
                base = base.model_copy(update=override.model_dump(exclude_none=True))
        return base


def _merge(base: Any, top: Any) -> Any:
    if isinstance(base, dict) and isinstance(top, dict):
        out = dict(base)
        for key, value in top.items():
            out[key] = _merge(base.get(key), value) if key in base else value
        return out
    return top


def load_health_config(path: Path | None = None, home: Path | None = None) -> HealthConfig:
    """The effective configuration; a bad user file raises ``ConfigFileError`` naming its line."""
    layers = [SHIPPED]
    home = home or (Path(os.environ["MCP_SRE_HOME"]) if os.environ.get("MCP_SRE_HOME") else None)
    if home is not None and (home / "health.yaml").is_file():
        layers.append(home / "health.yaml")
    explicit = path or (
        Path(os.environ["MCP_SRE_HEALTH_CONFIG"])
        if os.environ.get("MCP_SRE_HEALTH_CONFIG")
        else None
    )
    if explicit is not None:
        layers.append(explicit)
    merged: dict[str, Any] = {}
    for layer in layers:
        data, node = read_yaml(layer.read_text(encoding="utf-8"), str(layer))
        load_model(HealthConfig, data, node, str(layer))  # each file checked on its own lines
        merged = _merge(merged, data or {})
    return HealthConfig.model_validate(merged)
