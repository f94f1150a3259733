"""``meta.k8s.io/v1 Table`` responses, which ``kubectl get`` asks for to print its columns.

Every kind gets Name and Age; pods, deployments, nodes and events get the columns an SRE reads
first (the real server prints more).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

__all__ = ["to_table", "wants_table"]

Cell = Callable[[dict[str, Any]], Any]


def wants_table(accept: str) -> bool:
    return "as=Table" in (accept or "")


def _age(obj: dict[str, Any]) -> str:
    stamp = (obj.get("metadata") or {}).get("creationTimestamp")
    if not stamp:
        return "<unknown>"
    try:
        then = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return "<unknown>"
    secs = max(0, int((datetime.now(UTC) - then).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if secs >= size * 2 or (unit == "m" and secs >= size):
            return f"{secs // size}{unit}"
    return f"{secs}s"


def _pod_status(pod: dict[str, Any]) -> str:
    status = pod.get("status") or {}
    reason = status.get("reason") or status.get("phase") or "Unknown"
    for cs in status.get("containerStatuses") or []:
        state = cs.get("state") or {}
        if state.get("waiting", {}).get("reason"):
            return state["waiting"]["reason"]
        if state.get("terminated", {}).get("reason"):
            reason = state["terminated"]["reason"]
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        return "Terminating"
    return reason


def _pod_ready(pod: dict[str, Any]) -> str:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    total = len((pod.get("spec") or {}).get("containers") or [])
    return f"{sum(1 for s in statuses if s.get('ready'))}/{total}"


def _restarts(pod: dict[str, Any]) -> int:
    return sum(int(s.get("restartCount", 0))
               for s in (pod.get("status") or {}).get("containerStatuses") or [])


def _node_status(node: dict[str, Any]) -> str:
    ready = next((c for c in (node.get("status") or {}).get("conditions") or []
                  if c.get("type") == "Ready"), None)
    text = "Ready" if ready and ready.get("status") == "True" else "NotReady"
    if (node.get("spec") or {}).get("unschedulable"):
        text += ",SchedulingDisabled"
    return text


_COLUMNS: dict[str, list[tuple[str, str, Cell]]] = {
    "Pod": [
        ("Ready", "string", _pod_ready),
        ("Status", "string", _pod_status),
        ("Restarts", "integer", _restarts),
    ],
    "Deployment": [
        ("Ready", "string", lambda d: f"{(d.get('status') or {}).get('readyReplicas', 0)}/"
                                      f"{(d.get('spec') or {}).get('replicas', 1)}"),
        ("Up-to-date", "integer", lambda d: (d.get("status") or {}).get("updatedReplicas", 0)),
        ("Available", "integer", lambda d: (d.get("status") or {}).get("availableReplicas", 0)),
    ],
    "Node": [
        ("Status", "string", _node_status),
        ("Version", "string",
         lambda n: ((n.get("status") or {}).get("nodeInfo") or {}).get("kubeletVersion", "")),
    ],
    "PersistentVolumeClaim": [
        ("Status", "string", lambda c: (c.get("status") or {}).get("phase", "")),
        ("Volume", "string", lambda c: (c.get("spec") or {}).get("volumeName", "")),
        ("StorageClass", "string", lambda c: (c.get("spec") or {}).get("storageClassName", "")),
    ],
    "Event": [
        ("Type", "string", lambda e: e.get("type", "")),
        ("Reason", "string", lambda e: e.get("reason", "")),
        ("Object", "string", lambda e: f"{(e.get('involvedObject') or {}).get('kind', '').lower()}"
                                       f"/{(e.get('involvedObject') or {}).get('name', '')}"),
        ("Message", "string", lambda e: e.get("message", "")),
    ],
}


def to_table(items: list[dict[str, Any]], kind: str, list_meta: dict[str, Any]) -> dict[str, Any]:
    extra = _COLUMNS.get(kind, [])
    columns = [{"name": "Name", "type": "string", "format": "name", "priority": 0,
                "description": "Name must be unique within a namespace."}]
    columns += [{"name": n, "type": t, "format": "", "priority": 0, "description": n}
                for n, t, _ in extra]
    columns.append({"name": "Age", "type": "string", "format": "", "priority": 0,
                    "description": "Time since the object was created."})
    rows = []
    for obj in items:
        meta = obj.get("metadata") or {}
        cells = [meta.get("name", "")] + [fn(obj) for _, _, fn in extra] + [_age(obj)]
        rows.append({"cells": cells, "object": {
            "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta}})
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": dict(list_meta),
            "columnDefinitions": columns, "rows": rows}
