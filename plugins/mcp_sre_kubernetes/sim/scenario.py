"""Scenario files: the state a simulated cluster starts with.

A scenario is YAML with plain Kubernetes manifests (status included) under ``objects``, pod logs
under ``logs`` (``namespace/pod -> container -> {current, previous}``), and optional ``forbidden``
rules that make the server answer 403 the way RBAC would, and optional ``metrics`` (usage per
node and pod container, see :mod:`.metrics`). Any string value that is exactly ``now``,
``now-90s``, ``now-5m``, ``now-2h`` or ``now-3d`` becomes an RFC 3339 time at load, and so does a
``{{now-5m}}`` placeholder inside any text (log lines included; ``{{now-5m|%d/%b/%Y:%H:%M:%S}}``
picks a strftime format), so ages, "last restart" and log dates agree whenever it is served.

A directory instead of a file is read as ``kubectl cluster-info dump --output-directory`` output
(see :mod:`.dump`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mcp_sre.errors import McpSreError
from mcp_sre_kubernetes.sim.metrics import MetricsSection

__all__ = [
    "BUILTIN_SCENARIOS",
    "ContainerLogs",
    "ForbiddenRule",
    "Scenario",
    "ScenarioError",
    "list_scenarios",
    "load_scenario",
]

BUILTIN_SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
_RELATIVE_TIME = re.compile(r"^now(?:([-+])(\d+)([smhd]))?$")
_PLACEHOLDER = re.compile(r"\{\{\s*now(?:([-+])(\d+)([smhd]))?(?:\|([^}]*))?\s*\}\}")
RFC3339 = "%Y-%m-%dT%H:%M:%SZ"
# libyaml's safe loader when PyYAML has it: scenarios are large and loaded once per server
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class ScenarioError(McpSreError):
    """A scenario file is missing, is not YAML, or holds objects the server cannot serve."""


class ContainerLogs(BaseModel):
    """Log text of one container: its current run and, after a restart, the previous one."""

    model_config = ConfigDict(extra="forbid")

    current: str = Field(default="", description="Log of the current (or last) container run")
    previous: str | None = Field(
        default=None, description="Log of the previous run; None if it never restarted"
    )


class ForbiddenRule(BaseModel):
    """Requests the simulated RBAC refuses with 403 (for testing how callers handle it)."""

    model_config = ConfigDict(extra="forbid")

    resource: str = Field(description="Plural resource name, e.g. secrets; '*' for all")
    group: str = Field(default="*", description="API group ('' is core); '*' for any")
    namespace: str = Field(default="*", description="Namespace; '*' for any (and cluster scope)")
    verbs: list[str] = Field(default_factory=lambda: ["*"], description="get, list, watch...")
    user: str = Field(
        default="system:serviceaccount:mcp-sre:reader", description="User named in the message"
    )


class Scenario(BaseModel):
    """The whole starting state of a simulated cluster."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Scenario name")
    description: str = Field(default="", description="What the scenario shows")
    objects: list[dict[str, Any]] = Field(
        default_factory=list, description="Kubernetes manifests with status"
    )
    logs: dict[str, dict[str, ContainerLogs]] = Field(
        default_factory=dict, description="'namespace/pod' -> container -> logs"
    )
    forbidden: list[ForbiddenRule] = Field(
        default_factory=list, description="Requests answered with 403 Forbidden"
    )
    metrics: MetricsSection | None = Field(
        default=None, description="Node and pod usage for metrics.k8s.io; None = no metrics API"
    )


def _shift(now: datetime, sign: str | None, amount: str | None, unit: str | None) -> datetime:
    if not sign:
        return now
    delta = timedelta(**{_UNITS[str(unit)]: int(str(amount))})
    return now - delta if sign == "-" else now + delta


def _resolve_times(value: Any, now: datetime) -> Any:
    if isinstance(value, str):
        m = _RELATIVE_TIME.match(value)
        if m:
            return _shift(now, *m.groups()).strftime(RFC3339)
        if "{{" in value:
            return _PLACEHOLDER.sub(
                lambda p: _shift(now, *p.groups()[:3]).strftime(p.group(4) or RFC3339), value)
        return value
    if isinstance(value, dict):
        return {k: _resolve_times(v, now) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_times(v, now) for v in value]
    return value


def list_scenarios() -> list[str]:
    return sorted(p.stem for p in BUILTIN_SCENARIOS.glob("*.yaml"))


def load_scenario(name_or_path: str | Path, *, now: datetime | None = None) -> Scenario:
    """Load a built-in scenario by name, a scenario file by path, or a cluster-info dump
    directory."""
    path = Path(name_or_path)
    if path.is_dir():
        from mcp_sre_kubernetes.sim.dump import load_dump

        return load_dump(path)
    if not path.is_file():
        candidate = BUILTIN_SCENARIOS / f"{name_or_path}.yaml"
        if not candidate.is_file():
            raise ScenarioError(
                f"no scenario {str(name_or_path)!r}",
                hint=f"use a YAML file, a `kubectl cluster-info dump --output-directory` folder, "
                f"or one of: {', '.join(list_scenarios()) or 'none'}",
            )
        path = candidate
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # a safe loader
    except (OSError, yaml.YAMLError) as exc:
        raise ScenarioError(f"cannot read scenario {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ScenarioError(f"scenario {path} must be a mapping with 'name' and 'objects'")
    data.setdefault("name", path.stem)
    data = _resolve_times(data, (now or datetime.now(UTC)).replace(microsecond=0))
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()[:5]
        )
        raise ScenarioError(f"scenario {path} is invalid: {problems}") from exc
