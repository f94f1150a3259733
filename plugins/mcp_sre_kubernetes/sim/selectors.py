"""Label and field selectors with the grammar and errors of the Kubernetes API server."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcp_sre_kubernetes.sim.status import ApiStatusError

__all__ = ["FIELD_LABELS", "field_selector", "label_selector"]

Predicate = Callable[[dict[str, Any]], bool]

_KEY = re.compile(r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")

# Field labels the real server accepts per kind (beyond metadata.name / metadata.namespace),
# from the registry strategies in kubernetes/pkg/registry. Value: path into the object.
FIELD_LABELS: dict[str, dict[str, str]] = {
    "Pod": {
        "spec.nodeName": "spec.nodeName",
        "spec.restartPolicy": "spec.restartPolicy",
        "spec.schedulerName": "spec.schedulerName",
        "spec.serviceAccountName": "spec.serviceAccountName",
        "spec.hostNetwork": "spec.hostNetwork",
        "status.phase": "status.phase",
        "status.podIP": "status.podIP",
        "status.nominatedNodeName": "status.nominatedNodeName",
    },
    "Event": {
        **{f"involvedObject.{f}": f"involvedObject.{f}" for f in (
            "kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")},
        "reason": "reason",
        "reportingComponent": "reportingComponent",
        "source": "source.component",
        "type": "type",
        # events.k8s.io/v1 names the same fields differently
        **{f"regarding.{f}": f"regarding.{f}" for f in (
            "kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")},
        "reportingController": "reportingController",
    },
    "Node": {"spec.unschedulable": "spec.unschedulable"},
    "Namespace": {"status.phase": "status.phase"},
    "Secret": {"type": "type"},
    "ReplicaSet": {"status.replicas": "status.replicas"},
    "ReplicationController": {"status.replicas": "status.replicas"},
    "Job": {"status.successful": "status.successful"},
    "CertificateSigningRequest": {"spec.signerName": "spec.signerName"},
}


def _bad(message: str) -> ApiStatusError:
    return ApiStatusError(400, "BadRequest", message)


def _lookup(obj: dict[str, Any], path: str) -> str:
    value: Any = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        return "false" if path.endswith(("hostNetwork", "unschedulable")) else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class _Requirement:
    key: str
    op: str  # =, !=, in, notin, exists, !exists
    values: tuple[str, ...] = ()

    def matches(self, labels: dict[str, str]) -> bool:
        present = self.key in labels
        if self.op == "exists":
            return present
        if self.op == "!exists":
            return not present
        if self.op in ("=", "in"):
            return present and labels[self.key] in self.values
        return not present or labels[self.key] not in self.values  # != and notin


def _split_top(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts]


def _check_key(key: str, raw: str) -> str:
    if not _KEY.match(key) or len(key.split("/")[-1]) > 63:
        raise _bad(f'unable to parse requirement: invalid label key "{key}" in "{raw}"')
    return key


def _check_value(value: str, raw: str) -> str:
    if not _VALUE.match(value) or len(value) > 63:
        raise _bad(f'unable to parse requirement: invalid label value: "{value}" in "{raw}"')
    return value


def _parse_requirement(raw: str) -> _Requirement:
    m = re.fullmatch(r"(\S+?)\s+(in|notin)\s*\((.*)\)", raw)
    if m:
        values = tuple(_check_value(v.strip(), raw) for v in m.group(3).split(",") if v.strip())
        if not values:
            raise _bad(f"unable to parse requirement: values for {m.group(2)} must be non-empty")
        return _Requirement(_check_key(m.group(1), raw), m.group(2), values)
    for op in ("!=", "==", "="):
        if op in raw:
            key, _, value = raw.partition(op)
            return _Requirement(_check_key(key.strip(), raw), "!=" if op == "!=" else "=",
                                (_check_value(value.strip(), raw),))
    if raw.startswith("!"):
        return _Requirement(_check_key(raw[1:].strip(), raw), "!exists")
    if re.search(r"\s|[()<>]", raw):
        raise _bad(f"unable to parse requirement: found '{raw}', expected: "
                   "'=', '!=', '==', 'in', notin'")
    return _Requirement(_check_key(raw, raw), "exists")


def label_selector(text: str | None) -> Predicate:
    """Compile a label selector (``a=b,c!=d,e in (x,y),f notin (z),g,!h``)."""
    if not text or not text.strip():
        return lambda obj: True
    reqs = [_parse_requirement(part) for part in _split_top(text) if part]

    def pred(obj: dict[str, Any]) -> bool:
        labels = (obj.get("metadata") or {}).get("labels") or {}
        return all(r.matches(labels) for r in reqs)

    return pred


def field_selector(text: str | None, kind: str) -> Predicate:
    """Compile a field selector for objects of ``kind``; unknown fields are a 400 as upstream."""
    if not text or not text.strip():
        return lambda obj: True
    supported = {"metadata.name": "metadata.name", "metadata.namespace": "metadata.namespace",
                 **FIELD_LABELS.get(kind, {})}
    terms: list[tuple[str, bool, str]] = []
    for raw in (p.strip() for p in text.split(",")):
        if not raw:
            continue
        m = re.fullmatch(r"([^=!]+?)\s*(==|!=|=)\s*(.*)", raw)
        if not m:
            raise _bad(f'invalid selector: \'{text}\'; can\'t understand \'{raw}\'')
        field_name, op, value = m.group(1).strip(), m.group(2), m.group(3).strip()
        if field_name not in supported:
            raise _bad(f'field label not supported: {field_name}')
        terms.append((supported[field_name], op != "!=", value))

    def pred(obj: dict[str, Any]) -> bool:
        return all((_lookup(obj, path) == value) == equal for path, equal, value in terms)

    return pred
