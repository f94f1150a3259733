"""``meta.k8s.io/v1 Table`` responses, which ``kubectl get`` asks for to print its columns.

Every kind gets Name and Age; pods, deployments, nodes and endpoints get the columns an SRE
reads first (the real server prints more). Events get the real server's own layout (Last Seen,
Type, Reason, Object, Message; the rest at priority 1, shown by ``-o wide``), whichever event API
they are read through.
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
    "Endpoints": [
        ("Endpoints", "string", lambda e: _endpoints(e)),
    ],
    "EndpointSlice": [
        ("AddressType", "string", lambda e: e.get("addressType", "")),
        ("Ports", "string", lambda e: ",".join(str(p.get("port")) for p in e.get("ports") or [])
         or "<unset>"),
        ("Endpoints", "string", lambda e: _joined(
            [a for ep in e.get("endpoints") or [] for a in ep.get("addresses") or []])),
    ],
    "ReplicaSet": [
        ("Desired", "integer", lambda r: (r.get("spec") or {}).get("replicas", 1)),
        ("Current", "integer", lambda r: (r.get("status") or {}).get("replicas", 0)),
        ("Ready", "integer", lambda r: (r.get("status") or {}).get("readyReplicas", 0)),
    ],
    "StatefulSet": [
        ("Ready", "string", lambda s: f"{(s.get('status') or {}).get('readyReplicas', 0)}/"
                                      f"{(s.get('spec') or {}).get('replicas', 1)}"),
    ],
    "DaemonSet": [
        (col, "integer", lambda d, f=field: (d.get("status") or {}).get(f, 0))
        for col, field in (("Desired", "desiredNumberScheduled"),
                           ("Current", "currentNumberScheduled"), ("Ready", "numberReady"),
                           ("Up-to-date", "updatedNumberScheduled"),
                           ("Available", "numberAvailable"))
    ],
    "Service": [
        ("Type", "string", lambda v: (v.get("spec") or {}).get("type", "ClusterIP")),
        ("Cluster-IP", "string", lambda v: (v.get("spec") or {}).get("clusterIP") or "<none>"),
        ("External-IP", "string", lambda v: _joined(
            [i.get("ip") or i.get("hostname") for i in ((v.get("status") or {}).get(
                "loadBalancer") or {}).get("ingress") or []]
            + list((v.get("spec") or {}).get("externalIPs") or []))),
        ("Port(s)", "string", lambda v: ",".join(
            f"{p.get('port')}{':' + str(p['nodePort']) if p.get('nodePort') else ''}/"
            f"{p.get('protocol', 'TCP')}" for p in (v.get("spec") or {}).get("ports") or [])
         or "<none>"),
    ],
    "HorizontalPodAutoscaler": [
        ("Reference", "string", lambda h: "{kind}/{name}".format(
            **{"kind": "", "name": "", **((h.get("spec") or {}).get("scaleTargetRef") or {})})),
        ("Targets", "string", lambda h: _hpa_targets(h)),
        ("MinPods", "string", lambda h: (h.get("spec") or {}).get("minReplicas", 1)),
        ("MaxPods", "integer", lambda h: (h.get("spec") or {}).get("maxReplicas", 0)),
        ("Replicas", "integer", lambda h: (h.get("status") or {}).get("currentReplicas", 0)),
    ],
}


def _joined(values: list[Any]) -> str:
    """Up to three values, then a count, as kubectl's printers shorten lists."""
    values = [v for v in values if v]
    if not values:
        return "<none>"
    more = len(values) - 3
    return ",".join(str(v) for v in values[:3]) + (f" + {more} more..." if more > 0 else "")


def _hpa_targets(hpa: dict[str, Any]) -> str:
    """``memory: 94%/80%`` per metric, ``<unknown>`` where the status has no current value."""
    spec, status = hpa.get("spec") or {}, hpa.get("status") or {}
    if "targetCPUUtilizationPercentage" in spec:  # autoscaling/v1
        current = status.get("currentCPUUtilizationPercentage")
        return (f"cpu: {'<unknown>' if current is None else f'{current}%'}/"
                f"{spec['targetCPUUtilizationPercentage']}%")
    current = {(m.get("resource") or {}).get("name"): (m.get("resource") or {}).get("current")
               for m in status.get("currentMetrics") or [] if m.get("type") == "Resource"}
    out = []
    for metric in spec.get("metrics") or []:
        res = metric.get("resource") or {}
        target = res.get("target") or {}
        if metric.get("type") != "Resource":
            out.append(f"{metric.get('type', '').lower()}: <unknown>")
            continue
        now = current.get(res.get("name")) or {}
        if target.get("type") == "Utilization":
            got = now.get("averageUtilization")
            out.append(f"{res.get('name')}: {'<unknown>' if got is None else f'{got}%'}/"
                       f"{target.get('averageUtilization')}%")
        else:
            out.append(f"{res.get('name')}: {now.get('averageValue', '<unknown>')}/"
                       f"{target.get('averageValue', target.get('value', ''))}")
    return ", ".join(out) or "<none>"


def _endpoints(ep: dict[str, Any]) -> str:
    """kubectl's ``formatEndpoints``: up to three ip:port pairs, then a count."""
    pairs = [f"{a.get('ip')}:{p.get('port')}" for s in ep.get("subsets") or []
             for a in s.get("addresses") or [] for p in s.get("ports") or [{}]]
    if not pairs:
        return "<none>"
    more = len(pairs) - 3
    return ",".join(pairs[:3]) + (f" + {more} more..." if more > 0 else "")


def _since(stamp: str | None) -> str:
    return _age({"metadata": {"creationTimestamp": stamp}}) if stamp else "<unknown>"


def _event_row(e: dict[str, Any]) -> list[Any]:
    """printEvent of kubernetes/pkg/printers, for core and events.k8s.io events alike."""
    ref = e.get("involvedObject") or e.get("regarding") or {}
    source = e.get("source") or e.get("deprecatedSource") or {}
    first_ts = e.get("firstTimestamp") or e.get("deprecatedFirstTimestamp")
    last_ts = e.get("lastTimestamp") or e.get("deprecatedLastTimestamp")
    first = _since(first_ts or _second(e.get("eventTime")))
    last = _since(last_ts) if last_ts else first
    count = e.get("count") or e.get("deprecatedCount") or 0
    if e.get("series"):
        last = _since(_second(e["series"].get("lastObservedTime")))
        count = e["series"].get("count", count)
    kind, name = str(ref.get("kind", "")).lower(), ref.get("name", "")
    component = source.get("component") or e.get("reportingComponent") \
        or e.get("reportingController") or ""
    host = source.get("host") or e.get("reportingInstance") or ""
    return [last, e.get("type", ""), e.get("reason", ""), f"{kind}/{name}" if name else kind,
            ref.get("fieldPath", ""), f"{component}, {host}" if host else component,
            str(e.get("message") or e.get("note") or "").strip(), first, count or 1,
            (e.get("metadata") or {}).get("name", "")]


def _second(stamp: str | None) -> str | None:
    """A MicroTime (``...:05.123456Z``) cut to whole seconds for the age printer."""
    return stamp[:19] + "Z" if stamp and len(stamp) >= 19 else stamp


_EVENT_COLUMNS = [("Last Seen", "string", 0), ("Type", "string", 0), ("Reason", "string", 0),
                  ("Object", "string", 0), ("Subobject", "string", 1), ("Source", "string", 1),
                  ("Message", "string", 0), ("First Seen", "string", 1),
                  ("Count", "integer", 1), ("Name", "string", 1)]


def to_table(items: list[dict[str, Any]], kind: str, list_meta: dict[str, Any]) -> dict[str, Any]:
    if kind == "Event":
        return _table([{"name": n, "type": t, "format": "name" if n == "Name" else "",
                        "priority": p, "description": n} for n, t, p in _EVENT_COLUMNS],
                      [(_event_row(e), e) for e in items], list_meta)
    extra = _COLUMNS.get(kind, [])
    columns = [{"name": "Name", "type": "string", "format": "name", "priority": 0,
                "description": "Name must be unique within a namespace."}]
    columns += [{"name": n, "type": t, "format": "", "priority": 0, "description": n}
                for n, t, _ in extra]
    columns.append({"name": "Age", "type": "string", "format": "", "priority": 0,
                    "description": "Time since the object was created."})
    rows = [([(obj.get("metadata") or {}).get("name", "")] + [fn(obj) for _, _, fn in extra]
             + [_age(obj)], obj) for obj in items]
    return _table(columns, rows, list_meta)


def _table(columns: list[dict[str, Any]], rows: list[tuple[list[Any], dict[str, Any]]],
           list_meta: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": dict(list_meta),
            "columnDefinitions": columns,
            "rows": [{"cells": cells, "object": {
                "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                "metadata": obj.get("metadata") or {}}} for cells, obj in rows]}
