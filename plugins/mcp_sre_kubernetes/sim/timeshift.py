"""Move a captured cluster in time, so a replay looks as if it had been captured just now.

A dump from last week shows "3d" where the incident showed "40s"; a diagnosis that weighs how
recent a restart or an event is would read it wrongly. The capture time is the newest node
heartbeat (kubelets post one every few seconds), else the newest event; every RFC 3339 time in
the objects and metrics, and at the start of log lines, moves by the same amount.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from mcp_sre_kubernetes.sim.logs import parse_time
from mcp_sre_kubernetes.sim.scenario import ContainerLogs, Scenario

__all__ = ["capture_time", "shift_to"]

_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_LINE_STAMP = re.compile(r"^(\W{0,2})(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)",
                         re.MULTILINE)


def capture_time(scenario: Scenario) -> datetime | None:
    """When the objects were read: the newest node heartbeat, else the newest event time."""
    beats = [parse_time(c.get("lastHeartbeatTime")) for o in scenario.objects
             if o.get("kind") == "Node" for c in (o.get("status") or {}).get("conditions") or []]
    found = [t for t in beats if t]
    if not found:
        for o in scenario.objects:
            if o.get("kind") == "Event":
                series = o.get("series") or {}
                found += [t for t in (parse_time(o.get("lastTimestamp")),
                                      parse_time(o.get("eventTime")),
                                      parse_time(series.get("lastObservedTime"))) if t]
    return max(found) if found else None


def _moved(text: str, delta: timedelta) -> str:
    """``text`` moved by ``delta``, in UTC, keeping its number of fractional digits."""
    when = parse_time(text)
    if when is None:
        return text
    moved = when + delta
    m = re.search(r"\.(\d+)", text)
    fraction = ("." + (f"{moved.microsecond:06d}" + "000")[: len(m.group(1))]) if m else ""
    return moved.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def _walk(value: Any, delta: timedelta) -> Any:
    if isinstance(value, str):
        return _moved(value, delta) if _STAMP.match(value) else value
    if isinstance(value, dict):
        return {k: _walk(v, delta) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, delta) for v in value]
    return value


def _log(text: str | None, delta: timedelta) -> str | None:
    if text is None:
        return None
    return _LINE_STAMP.sub(lambda m: m.group(1) + _moved(m.group(2), delta), text)


def shift_to(scenario: Scenario, now: datetime | None = None) -> Scenario:
    """A copy of ``scenario`` with its capture time moved to ``now`` (unchanged when the
    capture time cannot be told)."""
    captured = capture_time(scenario)
    if captured is None:
        return scenario
    delta = (now or datetime.now(UTC)).replace(microsecond=0) - captured
    data = _walk(scenario.model_dump(exclude={"logs"}), delta)
    data["logs"] = {ref: {c: ContainerLogs(current=_log(run.current, delta) or "",
                                           previous=_log(run.previous, delta))
                          for c, run in containers.items()}
                    for ref, containers in scenario.logs.items()}
    return Scenario.model_validate(data)
