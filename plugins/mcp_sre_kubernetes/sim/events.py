"""Events in both APIs a real server serves them through: ``v1`` and ``events.k8s.io/v1``.

A real API server stores one kind of event and converts on the way out, so an event written
through either API is listed by both. The field mapping follows the server's conversion
(``pkg/apis/events/v1/conversion.go``): involvedObject <-> regarding, message <-> note,
source <-> deprecatedSource, first/lastTimestamp and count <-> their ``deprecated*`` forms,
reportingComponent <-> reportingController; series, related, action, reason, type and eventTime
keep their names. Fields the server always prints (``eventTime: null``, ``source: {}``,
``reportingComponent: ""``...) are filled in as it prints them.
"""

from __future__ import annotations

from typing import Any

__all__ = ["EVENTS_V1", "is_events_v1", "normalize_core", "to_core", "to_events_v1"]

EVENTS_V1 = ("events.k8s.io", "v1", "events")
# core name -> events.k8s.io/v1 name
_RENAMED = {
    "involvedObject": "regarding",
    "message": "note",
    "source": "deprecatedSource",
    "firstTimestamp": "deprecatedFirstTimestamp",
    "lastTimestamp": "deprecatedLastTimestamp",
    "count": "deprecatedCount",
    "reportingComponent": "reportingController",
}
_SAME = ("metadata", "eventTime", "series", "action", "reason", "related", "type",
         "reportingInstance")


def is_events_v1(obj: dict[str, Any]) -> bool:
    return str(obj.get("apiVersion", "")).startswith("events.k8s.io/")


def normalize_core(event: dict[str, Any]) -> dict[str, Any]:
    """A core event as the server prints it: the fields without ``omitempty`` are always there."""
    event.setdefault("involvedObject", {})
    event.setdefault("source", {})
    for key in ("firstTimestamp", "lastTimestamp", "eventTime"):
        event.setdefault(key, None)
    event.setdefault("reportingComponent", "")
    event.setdefault("reportingInstance", "")
    return event


def to_events_v1(core: dict[str, Any]) -> dict[str, Any]:
    """The ``events.k8s.io/v1`` view of a stored core event."""
    out: dict[str, Any] = {"apiVersion": "events.k8s.io/v1", "kind": "Event"}
    for key in _SAME:
        if key in core:
            out[key] = core[key]
    out.setdefault("eventTime", None)
    for old, new in _RENAMED.items():
        value = core.get(old)
        if old in ("involvedObject", "source"):
            out[new] = value or {}
        elif old in ("firstTimestamp", "lastTimestamp") or value not in (None, "", 0):
            out[new] = value
    for key in ("action", "reason", "type", "reportingInstance"):
        if out.get(key) == "":
            del out[key]
    return out


def to_core(event: dict[str, Any]) -> dict[str, Any]:
    """The stored core form of an event written through ``events.k8s.io/v1``."""
    out: dict[str, Any] = {"apiVersion": "v1", "kind": "Event"}
    for key in _SAME:
        if key in event:
            out[key] = event[key]
    for old, new in _RENAMED.items():
        if new in event:
            out[old] = event[new]
    return normalize_core(out)
