"""Status that follows from usage: ResourceQuota ``status.used`` (the quota controller) and
HorizontalPodAutoscaler status (the HPA controller, from the metrics API's numbers).

Like :mod:`.derive`, this fills only what a scenario leaves out, once at load.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from mcp_sre_kubernetes.sim.derive import workload_pods
from mcp_sre_kubernetes.sim.metrics import MetricsSection, pod_usage
from mcp_sre_kubernetes.sim.objects import Store, active, items, pod_ready
from mcp_sre_kubernetes.sim.quantity import QuantityError, format_cpu, format_memory, parse_quantity

__all__ = ["derive_hpa_status", "derive_quota_status"]

_TOLERANCE = Decimal("0.1")  # the HPA controller's default --horizontal-pod-autoscaler-tolerance
_COUNTED = {"pods": ("", "pods"), "services": ("", "services"), "secrets": ("", "secrets"),
            "configmaps": ("", "configmaps"),
            "persistentvolumeclaims": ("", "persistentvolumeclaims"),
            "replicationcontrollers": ("", "replicationcontrollers"),
            "resourcequotas": ("", "resourcequotas")}


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("metadata") or {}


def _container_sum(pod: dict[str, Any], kind: str, resource: str) -> Decimal:
    """A pod's effective request/limit: the larger of its containers' sum and any init one."""
    spec = pod.get("spec") or {}

    def amount(c: dict[str, Any]) -> Decimal:
        value = ((c.get("resources") or {}).get(kind) or {}).get(resource)
        try:
            return parse_quantity(value) if value is not None else Decimal(0)
        except QuantityError:
            return Decimal(0)

    total = sum((amount(c) for c in spec.get("containers") or []), Decimal(0))
    inits = [amount(c) for c in spec.get("initContainers") or []]
    return max([total, *inits])


def _format(resource: str, value: Decimal) -> str:
    if resource.endswith("cpu"):
        return format_cpu(value)
    if resource.endswith(("memory", "storage", "ephemeral-storage")):
        return format_memory(value)
    return str(int(value))


def _used(store: Store, ns: str, resource: str) -> Decimal | None:
    pods = active(items(store, "", "pods", ns))
    name = resource.removeprefix("count/")
    if name in _COUNTED:
        return Decimal(len(pods) if name == "pods"
                       else len(items(store, *_COUNTED[name], namespace=ns)))
    if resource.startswith("count/") and "." in name:
        plural, _, group = name.partition(".")
        return Decimal(len(items(store, group, plural, ns)))
    if resource in ("cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu",
                    "limits.memory", "requests.ephemeral-storage", "limits.ephemeral-storage"):
        kind, _, res = resource.rpartition(".")
        return sum((_container_sum(p, (kind or "requests"), res) for p in pods), Decimal(0))
    if resource == "requests.storage":
        total = Decimal(0)
        for pvc in items(store, "", "persistentvolumeclaims", ns):
            value = ((pvc.get("spec") or {}).get("resources") or {}).get("requests", {}) \
                .get("storage")
            total += parse_quantity(value) if value else Decimal(0)
        return total
    if resource == "services.loadbalancers" or resource == "services.nodeports":
        kind = "LoadBalancer" if resource.endswith("loadbalancers") else "NodePort"
        return Decimal(sum(1 for s in items(store, "", "services", ns)
                           if (s.get("spec") or {}).get("type") == kind))
    return None


def derive_quota_status(store: Store) -> None:
    """``status.hard`` and ``status.used`` of unscoped ResourceQuotas that do not set them."""
    for quota in items(store, "", "resourcequotas"):
        spec = quota.get("spec") or {}
        if spec.get("scopes") or spec.get("scopeSelector"):
            continue  # scoped quotas count a subset of pods; leave them to the scenario
        status = quota.get("status")
        if not isinstance(status, dict):
            status = quota["status"] = {}
        hard = spec.get("hard") or {}
        status.setdefault("hard", dict(hard))
        if "used" not in status:
            used = {}
            for resource in hard:
                value = _used(store, str(_meta(quota).get("namespace")), resource)
                if value is not None:
                    used[resource] = _format(resource, value)
            status["used"] = used


# -- HorizontalPodAutoscaler ----------------------------------------------------------------

def _target_pods(store: Store, hpa: dict[str, Any]) -> tuple[dict[str, Any] | None, list[Any]]:
    ref = (hpa.get("spec") or {}).get("scaleTargetRef") or {}
    ns = _meta(hpa).get("namespace")
    plural = {"Deployment": "deployments", "StatefulSet": "statefulsets",
              "ReplicaSet": "replicasets"}.get(str(ref.get("kind")))
    if plural is None:
        return None, []
    target = next((o for o in items(store, "apps", plural, ns)
                   if _meta(o).get("name") == ref.get("name")), None)
    if target is None:
        return None, []
    return target, workload_pods(store, target)


def _resource_targets(hpa: dict[str, Any]) -> list[tuple[str, int]]:
    spec = hpa.get("spec") or {}
    if "targetCPUUtilizationPercentage" in spec:  # autoscaling/v1
        return [("cpu", int(spec["targetCPUUtilizationPercentage"]))]
    out = []
    for metric in spec.get("metrics") or []:
        res = metric.get("resource") or {}
        target = res.get("target") or {}
        if metric.get("type") == "Resource" and target.get("type") == "Utilization":
            out.append((str(res.get("name")), int(target.get("averageUtilization", 80))))
    if not spec.get("metrics"):
        out.append(("cpu", 80))
    return out


def _hpa_status(store: Store, hpa: dict[str, Any], metrics: MetricsSection | None,
                now: str) -> dict[str, Any]:
    spec = hpa.get("spec") or {}
    target, pods = _target_pods(store, hpa)
    current = int(((target or {}).get("status") or {}).get("replicas", len(pods)))
    low, high = int(spec.get("minReplicas", 1)), int(spec.get("maxReplicas", current or 1))
    desired, found, problem = current, [], ""
    for resource, goal in _resource_targets(hpa):
        # the controller sets unready pods aside for CPU only
        ready = [p for p in pods if pod_ready(p)] if resource == "cpu" else pods
        usage = [pod_usage(metrics, _meta(p)["namespace"], _meta(p)["name"]) for p in ready]
        requests = [_container_sum(p, "requests", resource) for p in ready]
        if not ready or any(not u for u in usage):
            problem = (f"failed to get {resource} utilization: unable to get metrics for "
                       f"resource {resource}: no metrics returned from resource metrics API")
            continue
        if any(r == 0 for r in requests):
            problem = (f"failed to get {resource} utilization: missing request for {resource}")
            continue
        used = sum((u[resource] for u in usage), Decimal(0))
        utilization = int(used * 100 / sum(requests, Decimal(0)))
        ratio = Decimal(utilization) / Decimal(goal)
        wanted = current if abs(ratio - 1) <= _TOLERANCE else math.ceil(ratio * len(ready))
        desired = max(desired if found else 0, wanted)
        average = used / len(ready)
        found.append({"type": "Resource", "resource": {"name": resource, "current": {
            "averageUtilization": utilization,
            "averageValue": format_cpu(average) if resource == "cpu" else format_memory(average)}}})
    limited = min(max(desired, low), high)

    def cond(kind: str, ok: bool, reason: str, message: str) -> dict[str, Any]:
        return {"type": kind, "status": "True" if ok else "False", "lastTransitionTime": now,
                "reason": reason, "message": message}

    conditions = [cond("AbleToScale", True, "ReadyForNewScale" if limited == current
                       else "SucceededRescale", "recommended size matches current size"
                       if limited == current else f"the HPA controller was able to update the "
                       f"target scale to {limited}")]
    if found and not problem:
        conditions.append(cond("ScalingActive", True, "ValidMetricFound",
                               "the HPA was able to successfully calculate a replica count from "
                               f"{found[0]['resource']['name']} resource utilization "
                               "(percentage of request)"))
    else:
        limited = current
        conditions.append(cond("ScalingActive", False, "FailedGetResourceMetric",
                               f"the HPA was unable to compute the replica count: {problem}"))
    conditions.append(cond("ScalingLimited", desired != limited and bool(found),
                           "TooManyReplicas" if desired > high else "TooFewReplicas"
                           if desired < low else "DesiredWithinRange",
                           "the desired replica count is more than the maximum replica count"
                           if desired > high else "the desired count is within the "
                           "acceptable range"))
    return {"currentReplicas": current, "desiredReplicas": limited,
            "currentMetrics": found or None, "conditions": conditions}


def derive_hpa_status(store: Store, metrics: MetricsSection | None, now: str) -> None:
    """Status of HPAs without one: replicas from the target, utilization from pod metrics and
    requests (the controller's formula and 10% tolerance)."""
    for (group, version, plural), bucket in store.items():
        if group != "autoscaling" or plural != "horizontalpodautoscalers":
            continue
        for hpa in bucket.values():
            if hpa.get("status"):
                continue
            status = _hpa_status(store, hpa, metrics, now)
            if version == "v1":
                cpu = next((m["resource"]["current"]["averageUtilization"]
                            for m in status["currentMetrics"] or []
                            if m["resource"]["name"] == "cpu"), None)
                status = {"currentReplicas": status["currentReplicas"],
                          "desiredReplicas": status["desiredReplicas"],
                          **({"currentCPUUtilizationPercentage": cpu} if cpu is not None
                             else {})}
            elif status["currentMetrics"] is None:
                del status["currentMetrics"]
            hpa["status"] = status
