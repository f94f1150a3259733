"""Kinds a real server serves through more than one API version from one stored object.

kube-apiserver stores each object once and converts it for whichever version a client asks
for, so an HPA written as ``autoscaling/v2`` is readable as ``autoscaling/v1`` and an event
written through ``v1`` is listed by ``events.k8s.io/v1``. The simulator does the same for the
kinds diagnosis reads through both: events (:mod:`.events`) and HorizontalPodAutoscalers
(conversion as in ``pkg/apis/autoscaling/v1/conversion.go``: what v1 cannot express travels in
``autoscaling.alpha.kubernetes.io/*`` annotations).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcp_sre_kubernetes.sim.events import EVENTS_V1, normalize_core, to_core, to_events_v1

__all__ = ["ALIASES", "HPA_V1", "HPA_V2", "Alias", "hpa_to_v1", "hpa_to_v2"]

Key = tuple[str, str, str]
HPA_V1: Key = ("autoscaling", "v1", "horizontalpodautoscalers")
HPA_V2: Key = ("autoscaling", "v2", "horizontalpodautoscalers")
_ANNOTATION = "autoscaling.alpha.kubernetes.io/"


@dataclass(frozen=True)
class Alias:
    """A served version whose objects live under ``storage``, converted both ways."""

    storage: Key
    to_served: Callable[[dict[str, Any]], dict[str, Any]]
    to_storage: Callable[[dict[str, Any]], dict[str, Any]]
    normalize: Callable[[dict[str, Any]], dict[str, Any]] = lambda obj: obj


def _cpu_target(metrics: list[dict[str, Any]]) -> tuple[int | None, list[dict[str, Any]]]:
    cpu, rest = None, []
    for metric in metrics:
        res = metric.get("resource") or {}
        target = res.get("target") or {}
        if (metric.get("type") == "Resource" and res.get("name") == "cpu" and cpu is None
                and target.get("type") == "Utilization"):
            cpu = target.get("averageUtilization")
        else:
            rest.append(metric)
    return cpu, rest


def hpa_to_v1(hpa: dict[str, Any]) -> dict[str, Any]:
    """The ``autoscaling/v1`` view of a stored ``autoscaling/v2`` HPA."""
    spec, status = hpa.get("spec") or {}, hpa.get("status")
    meta = dict(hpa.get("metadata") or {})
    annotations = dict(meta.get("annotations") or {})
    cpu, other = _cpu_target(spec.get("metrics") or [])
    if other:
        annotations[_ANNOTATION + "metrics"] = json.dumps(other)
    if spec.get("behavior"):
        annotations[_ANNOTATION + "behavior"] = json.dumps(spec["behavior"])
    v1_spec = {k: spec[k] for k in ("scaleTargetRef", "minReplicas", "maxReplicas") if k in spec}
    if cpu is not None:
        v1_spec["targetCPUUtilizationPercentage"] = cpu
    out: dict[str, Any] = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
                           "spec": v1_spec}
    if status is not None:
        v1_status = {k: status[k] for k in ("observedGeneration", "lastScaleTime",
                                            "currentReplicas", "desiredReplicas") if k in status}
        for metric in status.get("currentMetrics") or []:
            res = metric.get("resource") or {}
            if res.get("name") == "cpu" and "averageUtilization" in (res.get("current") or {}):
                v1_status["currentCPUUtilizationPercentage"] = res["current"]["averageUtilization"]
        if status.get("currentMetrics"):
            annotations[_ANNOTATION + "current-metrics"] = json.dumps(status["currentMetrics"])
        if status.get("conditions"):
            annotations[_ANNOTATION + "conditions"] = json.dumps(status["conditions"])
        out["status"] = v1_status
    if annotations:
        meta["annotations"] = annotations
    return {**out, "metadata": meta}


def hpa_to_v2(hpa: dict[str, Any]) -> dict[str, Any]:
    """The stored ``autoscaling/v2`` form of an HPA written as ``autoscaling/v1``."""
    if str(hpa.get("apiVersion", "")).endswith("/v2"):
        return hpa
    spec, status = hpa.get("spec") or {}, hpa.get("status")
    meta = dict(hpa.get("metadata") or {})
    annotations = dict(meta.get("annotations") or {})

    def carried(name: str) -> Any:
        raw = annotations.pop(_ANNOTATION + name, None)
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    metrics = []
    if "targetCPUUtilizationPercentage" in spec:
        metrics.append({"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": spec["targetCPUUtilizationPercentage"]}}})
    metrics += carried("metrics") or []
    v2_spec = {k: spec[k] for k in ("scaleTargetRef", "minReplicas", "maxReplicas") if k in spec}
    if metrics:
        v2_spec["metrics"] = metrics
    behavior = carried("behavior")
    if behavior:
        v2_spec["behavior"] = behavior
    out: dict[str, Any] = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                           "spec": v2_spec}
    current, conditions = carried("current-metrics"), carried("conditions")
    if status is not None:
        v2_status = {k: status[k] for k in ("observedGeneration", "lastScaleTime",
                                            "currentReplicas", "desiredReplicas") if k in status}
        if current is None and "currentCPUUtilizationPercentage" in status:
            current = [{"type": "Resource", "resource": {"name": "cpu", "current": {
                "averageUtilization": status["currentCPUUtilizationPercentage"]}}}]
        if current:
            v2_status["currentMetrics"] = current
        if conditions:
            v2_status["conditions"] = conditions
        out["status"] = v2_status
    meta["annotations"] = annotations
    if not annotations:
        del meta["annotations"]
    return {**out, "metadata": meta}


ALIASES: dict[Key, Alias] = {
    EVENTS_V1: Alias(("", "v1", "events"), to_events_v1, to_core, normalize_core),
    HPA_V1: Alias(HPA_V2, hpa_to_v1, hpa_to_v2),
}
