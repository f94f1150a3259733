"""Small readers over stored objects shared by the derivations: selectors, ownership, readiness.

The store is ``{(group, version, plural): {(namespace, name): object}}``, as in ``ClusterState``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = [
    "Store",
    "active",
    "has_controller",
    "items",
    "matches_selector",
    "owned_by",
    "pod_ready",
    "selects",
]

Store = dict[tuple[str, str, str], dict[tuple[str, str], dict[str, Any]]]


def items(store: Store, group: str, plural: str, namespace: str | None = None
          ) -> list[dict[str, Any]]:
    """Every stored object of a resource (any version), optionally in one namespace."""
    out = []
    for (g, _, p), bucket in store.items():
        if g == group and p == plural:
            out += [obj for (ns, _), obj in sorted(bucket.items())
                    if namespace is None or ns == namespace]
    return out


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("metadata") or {}


def owned_by(obj: dict[str, Any], owner: dict[str, Any]) -> bool:
    """True when ``obj`` names ``owner`` (by uid, or by kind and name) as its controller."""
    meta = _meta(owner)
    for ref in _meta(obj).get("ownerReferences") or []:
        if ref.get("controller") is False:
            continue
        if ref.get("uid") and ref.get("uid") == meta.get("uid"):
            return True
        if ref.get("kind") == owner.get("kind") and ref.get("name") == meta.get("name"):
            return True
    return False


def has_controller(obj: dict[str, Any]) -> bool:
    return any(r.get("controller") for r in _meta(obj).get("ownerReferences") or [])


def matches_selector(labels: dict[str, str], selector: dict[str, Any] | None) -> bool:
    """A ``LabelSelector`` (matchLabels and matchExpressions); an empty one matches nothing,
    as for workload controllers."""
    if not selector:
        return False
    match = selector.get("matchLabels") or {}
    exprs = selector.get("matchExpressions") or []
    if not match and not exprs:
        return False
    if any(labels.get(k) != v for k, v in match.items()):
        return False
    for expr in exprs:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def selects(selector: dict[str, str] | None, labels: dict[str, str]) -> bool:
    """A Service's plain ``key: value`` selector."""
    return bool(selector) and all(labels.get(k) == v for k, v in (selector or {}).items())


def pod_ready(pod: dict[str, Any]) -> bool:
    """The pod's Ready condition; without one (a terse scenario), all containers ready."""
    status = pod.get("status") or {}
    for cond in status.get("conditions") or []:
        if cond.get("type") == "Ready":
            return cond.get("status") == "True"
    statuses = status.get("containerStatuses") or []
    return status.get("phase") == "Running" and bool(statuses) and all(
        s.get("ready") for s in statuses)


def active(pods: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pods a controller counts: not finished and not being deleted."""
    return [p for p in pods if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
            and not _meta(p).get("deletionTimestamp")]
