"""What a cluster's controllers would have written, for scenarios that do not write it.

Endpoints and EndpointSlices follow Services and ready Pods (endpoints and endpointslice
controllers); Deployment, ReplicaSet, StatefulSet and DaemonSet status follow their Pods. A
scenario that writes an object or a status field keeps it, so broken states (a stale Endpoints,
a wrong replica count) stay expressible; only what is missing is filled in. Runs once at load.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from mcp_sre_kubernetes.sim.objects import (
    Store,
    active,
    has_controller,
    items,
    matches_selector,
    owned_by,
    pod_ready,
    selects,
)

__all__ = [
    "derive_endpoints",
    "derive_workload_status",
    "link_uids",
    "owner_uids",
    "workload_pods",
]

_DS_TOLERATED = {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable",
                 "node.kubernetes.io/disk-pressure", "node.kubernetes.io/memory-pressure",
                 "node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable"}


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("metadata") or {}


def _labels(obj: dict[str, Any]) -> dict[str, str]:
    return _meta(obj).get("labels") or {}


def _fill(obj: dict[str, Any], derived: dict[str, Any], required: tuple[str, ...] = ()) -> None:
    """Add derived status fields the object does not set (zero counts are left out where the
    server's ``omitempty`` leaves them out)."""
    status = obj.get("status")
    if not isinstance(status, dict):
        status = obj["status"] = {}
    for key, value in derived.items():
        if key in status or (value in (None, 0, [], "") and key not in required):
            continue
        status[key] = value


# -- uids -----------------------------------------------------------------------------------

def owner_uids(objects: list[dict[str, Any]]) -> dict[tuple[str, str, str], str]:
    """``(kind, namespace, name) -> uid`` as the scenario's ownerReferences name them, so an
    owner written without a uid gets the one its dependents point at."""
    out = {}
    for obj in objects:  # dependents (pods, ReplicaSets, Jobs) are namespaced
        ns = _meta(obj).get("namespace", "default")
        for ref in _meta(obj).get("ownerReferences") or []:
            if ref.get("uid") and ref.get("kind") and ref.get("name"):
                out.setdefault((ref["kind"], ns, ref["name"]), ref["uid"])
    return out


def link_uids(store: Store) -> None:
    """Give ownerReferences and event involvedObjects without a uid the uid of the object they
    name, as a real cluster's always carry one (``kubectl describe`` matches events by uid).
    Events whose object no longer exists keep what they have."""
    by_kind: dict[tuple[str, str, str], str] = {}
    for bucket in store.values():
        for obj in bucket.values():
            meta = _meta(obj)
            by_kind.setdefault((str(obj.get("kind")), meta.get("namespace", ""),
                                str(meta.get("name"))), str(meta.get("uid")))
    for bucket in store.values():
        for obj in bucket.values():
            ns = _meta(obj).get("namespace", "")
            for ref in _meta(obj).get("ownerReferences") or []:
                uid = by_kind.get((str(ref.get("kind")), ns, str(ref.get("name"))))
                if uid and not ref.get("uid"):
                    ref["uid"] = uid
    for event in items(store, "", "events"):
        ref = event.get("involvedObject") or {}
        uid = by_kind.get((str(ref.get("kind")), ref.get("namespace", ""), str(ref.get("name"))))
        if uid and not ref.get("uid"):
            ref["uid"] = uid


# -- endpoints ------------------------------------------------------------------------------

def _target_port(svc_port: dict[str, Any], pod: dict[str, Any]) -> int | None:
    target = svc_port.get("targetPort", svc_port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    for container in (pod.get("spec") or {}).get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("name") == target:
                return port.get("containerPort")
    return None


def _pod_ref(pod: dict[str, Any]) -> dict[str, Any]:
    meta = _meta(pod)
    return {"kind": "Pod", "namespace": meta.get("namespace"), "name": meta.get("name"),
            "uid": meta.get("uid")}


def _backends(store: Store, svc: dict[str, Any]) -> list[dict[str, Any]]:
    ns = _meta(svc).get("namespace")
    selector = (svc.get("spec") or {}).get("selector")
    return [p for p in items(store, "", "pods", ns)
            if selects(selector, _labels(p)) and (p.get("status") or {}).get("podIP")
            and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]


def _trigger_time(svc: dict[str, Any], pods: list[dict[str, Any]]) -> dict[str, str]:
    """The ``last-change-trigger-time`` annotation: the latest change among the backends."""
    stamps = [str(_meta(svc).get("creationTimestamp") or "")]
    for pod in pods:
        stamps.append(str(_meta(pod).get("creationTimestamp") or ""))
        stamps += [str(c.get("lastTransitionTime") or "") for c in
                   (pod.get("status") or {}).get("conditions") or [] if c.get("type") == "Ready"]
    latest = max(stamps)
    return {"endpoints.kubernetes.io/last-change-trigger-time": latest} if latest else {}


def _endpoints_for(store: Store, svc: dict[str, Any]) -> dict[str, Any]:
    spec = svc.get("spec") or {}
    publish = bool(spec.get("publishNotReadyAddresses"))
    subsets: dict[tuple[Any, ...], dict[str, Any]] = {}
    for pod in _backends(store, svc):
        ports = []
        for sp in spec.get("ports") or []:
            number = _target_port(sp, pod)
            if number is not None:
                ports.append({**({"name": sp["name"]} if sp.get("name") else {}),
                              "port": number, "protocol": sp.get("protocol", "TCP")})
        if not ports:
            continue
        address = {"ip": pod["status"]["podIP"], "targetRef": _pod_ref(pod)}
        if (pod.get("spec") or {}).get("nodeName"):
            address["nodeName"] = pod["spec"]["nodeName"]
        key = tuple(sorted((p.get("name", ""), p["port"]) for p in ports))
        subset = subsets.setdefault(key, {"ports": ports})
        ready = pod_ready(pod) or publish
        subset.setdefault("addresses" if ready else "notReadyAddresses", []).append(address)
    meta = _meta(svc)
    out: dict[str, Any] = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {
        "name": meta["name"], "namespace": meta.get("namespace"),
        "creationTimestamp": meta.get("creationTimestamp"),
        **({"labels": dict(_labels(svc))} if _labels(svc) else {}),
        "annotations": _trigger_time(svc, _backends(store, svc))}}
    if subsets:
        for subset in subsets.values():
            for field in ("addresses", "notReadyAddresses"):
                if field in subset:
                    subset[field].sort(key=lambda a: a["ip"])
        out["subsets"] = [subsets[k] for k in sorted(subsets)]
    return out


def _slice_for(store: Store, svc: dict[str, Any], nodes: dict[str, dict[str, Any]]
               ) -> dict[str, Any]:
    spec, meta = svc.get("spec") or {}, _meta(svc)
    endpoints, ports = [], None
    for pod in _backends(store, svc):
        ready = pod_ready(pod)
        terminating = bool(_meta(pod).get("deletionTimestamp"))
        entry: dict[str, Any] = {
            "addresses": [pod["status"]["podIP"]],
            "conditions": {"ready": ready and not terminating, "serving": ready,
                           "terminating": terminating},
            "targetRef": _pod_ref(pod)}
        node = (pod.get("spec") or {}).get("nodeName")
        if node:
            entry["nodeName"] = node
            zone = _labels(nodes.get(node, {})).get("topology.kubernetes.io/zone")
            if zone:
                entry["zone"] = zone
        endpoints.append(entry)
        if ports is None:
            ports = [{"name": sp.get("name", ""), "port": _target_port(sp, pod),
                      "protocol": sp.get("protocol", "TCP")} for sp in spec.get("ports") or []
                     if _target_port(sp, pod) is not None]
    suffix = hashlib.sha256(f"{meta.get('namespace')}/{meta['name']}".encode()).hexdigest()[:5]
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": f"{meta['name']}-{suffix}", "generateName": f"{meta['name']}-",
                         "namespace": meta.get("namespace"), "generation": 1,
                         "creationTimestamp": meta.get("creationTimestamp"),
                         "annotations": _trigger_time(svc, _backends(store, svc)),
                         "labels": {**_labels(svc), "kubernetes.io/service-name": meta["name"],
                                    "endpointslice.kubernetes.io/managed-by":
                                        "endpointslice-controller.k8s.io"},
                         "ownerReferences": [{"apiVersion": "v1", "kind": "Service",
                                              "name": meta["name"], "uid": meta.get("uid"),
                                              "controller": True, "blockOwnerDeletion": True}]},
            "addressType": "IPv4", "endpoints": sorted(endpoints, key=lambda e: e["addresses"]),
            "ports": ports}


def derive_endpoints(store: Store) -> list[dict[str, Any]]:
    """Endpoints and EndpointSlices for selector Services that have none in the scenario."""
    nodes = {_meta(n).get("name"): n for n in items(store, "", "nodes")}
    have_eps = {(_meta(e).get("namespace"), _meta(e).get("name"))
                for e in items(store, "", "endpoints")}
    have_slices = {(_meta(s).get("namespace"), _labels(s).get("kubernetes.io/service-name"))
                   for s in items(store, "discovery.k8s.io", "endpointslices")}
    out = []
    for svc in items(store, "", "services"):
        spec, key = svc.get("spec") or {}, (_meta(svc).get("namespace"), _meta(svc).get("name"))
        if not spec.get("selector") or spec.get("type") == "ExternalName":
            continue
        if key not in have_eps:
            out.append(_endpoints_for(store, svc))
        if key not in have_slices:
            out.append(_slice_for(store, svc, nodes))
    return out


# -- workload controllers -------------------------------------------------------------------

def _pods_of(store: Store, owner: dict[str, Any]) -> list[dict[str, Any]]:
    ns = _meta(owner).get("namespace")
    pods = items(store, "", "pods", ns)
    owned = [p for p in pods if owned_by(p, owner)]
    if owned:
        return owned
    selector = (owner.get("spec") or {}).get("selector")
    return [p for p in pods if not has_controller(p) and matches_selector(_labels(p), selector)]


def _scaled(value: Any, replicas: int, round_up: bool, default: str) -> int:
    value = default if value is None else value
    if isinstance(value, str) and value.endswith("%"):
        exact = int(value[:-1]) * replicas / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    return int(value)


def _condition(kind: str, ok: bool, reason: str, message: str, when: Any) -> dict[str, Any]:
    return {"type": kind, "status": "True" if ok else "False", "lastUpdateTime": when,
            "lastTransitionTime": when, "reason": reason, "message": message}


def _revision(rs: dict[str, Any]) -> tuple[int, str]:
    rev = (_meta(rs).get("annotations") or {}).get("deployment.kubernetes.io/revision", "0")
    return (int(rev) if str(rev).isdigit() else 0, str(_meta(rs).get("creationTimestamp", "")))


def workload_pods(store: Store, owner: dict[str, Any]) -> list[dict[str, Any]]:
    """The active pods of a controller; a Deployment's through its ReplicaSets, or by its
    selector when the scenario left the ReplicaSets out."""
    if owner.get("kind") != "Deployment":
        return active(_pods_of(store, owner))
    ns = _meta(owner).get("namespace")
    sets = [rs for rs in items(store, "apps", "replicasets", ns) if owned_by(rs, owner)]
    if sets:
        return active(p for rs in sets for p in _pods_of(store, rs))
    selector = (owner.get("spec") or {}).get("selector")
    return active(p for p in items(store, "", "pods", ns)
                  if matches_selector(_labels(p), selector))


def _deployment(store: Store, dep: dict[str, Any]) -> dict[str, Any]:
    spec, meta = dep.get("spec") or {}, _meta(dep)
    desired = int(spec.get("replicas", 1))
    sets = [rs for rs in items(store, "apps", "replicasets", meta.get("namespace"))
            if owned_by(rs, dep)]
    newest = max(sets, key=_revision) if sets else None
    pods = workload_pods(store, dep)
    updated = active(_pods_of(store, newest)) if newest else pods
    available = sum(1 for p in pods if pod_ready(p))
    rolling = (spec.get("strategy") or {}).get("type", "RollingUpdate") == "RollingUpdate"
    rolling_spec = (spec.get("strategy") or {}).get("rollingUpdate") or {}
    surge = _scaled(rolling_spec.get("maxSurge"), desired, True, "25%") if rolling else 0
    unavailable_ok = _scaled(rolling_spec.get("maxUnavailable"), desired, False, "25%") \
        if rolling else 0
    if rolling and surge == 0 and unavailable_ok == 0:
        unavailable_ok = 1
    when = _meta(newest or dep).get("creationTimestamp")
    hashes = sorted({_labels(p).get("pod-template-hash", "") for p in pods} - {""})
    rs_name = _meta(newest).get("name") if newest else \
        f"{meta.get('name')}-{hashes[-1]}" if hashes else meta.get("name")
    ok = available >= desired - unavailable_ok
    # A rollout that put every pod on the newest ReplicaSet is done; pods failing afterwards do
    # not change Progressing (the controller only updates it while rolling out).
    complete = len(updated) == desired and len(pods) == desired
    return {
        "observedGeneration": meta.get("generation", 1), "replicas": len(pods),
        "updatedReplicas": len(updated), "readyReplicas": available,
        "availableReplicas": available,
        "unavailableReplicas": max(0, max(desired, len(pods)) - available),
        "conditions": [
            _condition("Available", ok,
                       "MinimumReplicasAvailable" if ok else "MinimumReplicasUnavailable",
                       "Deployment has minimum availability." if ok
                       else "Deployment does not have minimum availability.", when),
            _condition("Progressing", True,
                       "NewReplicaSetAvailable" if complete else "ReplicaSetUpdated",
                       f'ReplicaSet "{rs_name}" has successfully progressed.' if complete
                       else f'ReplicaSet "{rs_name}" is progressing.', when)],
    }


def _replicaset(store: Store, rs: dict[str, Any]) -> dict[str, Any]:
    pods = active(_pods_of(store, rs))
    ready = sum(1 for p in pods if pod_ready(p))
    return {"replicas": len(pods), "fullyLabeledReplicas": len(pods), "readyReplicas": ready,
            "availableReplicas": ready, "observedGeneration": _meta(rs).get("generation", 1)}


def _statefulset(store: Store, sts: dict[str, Any]) -> dict[str, Any]:
    pods = active(_pods_of(store, sts))
    ready = sum(1 for p in pods if pod_ready(p))
    revisions = sorted({_labels(p).get("controller-revision-hash", "") for p in pods} - {""})
    return {"observedGeneration": _meta(sts).get("generation", 1), "replicas": len(pods),
            "readyReplicas": ready, "currentReplicas": len(pods), "updatedReplicas": len(pods),
            "availableReplicas": ready,
            "currentRevision": revisions[0] if len(revisions) == 1 else None,
            "updateRevision": revisions[0] if len(revisions) == 1 else None,
            "collisionCount": 0}


def _tolerates(tolerations: list[dict[str, Any]], taint: dict[str, Any]) -> bool:
    if taint.get("effect") == "PreferNoSchedule" or taint.get("key") in _DS_TOLERATED:
        return True
    for tol in tolerations:
        if tol.get("effect") and tol.get("effect") != taint.get("effect"):
            continue
        if tol.get("operator") == "Exists" and tol.get("key") in (None, "", taint.get("key")):
            return True
        if tol.get("key") == taint.get("key") and tol.get("value", "") == taint.get("value", ""):
            return True
    return False


def _daemonset(store: Store, ds: dict[str, Any]) -> dict[str, Any]:
    template = ((ds.get("spec") or {}).get("template") or {}).get("spec") or {}
    selector = template.get("nodeSelector") or {}
    tolerations = template.get("tolerations") or []
    eligible = [n for n in items(store, "", "nodes")
                if all(_labels(n).get(k) == v for k, v in selector.items())
                and all(_tolerates(tolerations, t) for t in (n.get("spec") or {}).get("taints")
                        or [])]
    pods = active(_pods_of(store, ds))
    scheduled = [p for p in pods if (p.get("spec") or {}).get("nodeName")]
    ready = sum(1 for p in scheduled if pod_ready(p))
    desired = max(len(eligible), len(scheduled))
    return {"currentNumberScheduled": len(scheduled), "numberMisscheduled": 0,
            "desiredNumberScheduled": desired, "numberReady": ready,
            "observedGeneration": _meta(ds).get("generation", 1),
            "updatedNumberScheduled": len(scheduled), "numberAvailable": ready,
            "numberUnavailable": desired - ready}


_WORKLOADS = {
    "deployments": (_deployment, ()),
    "replicasets": (_replicaset, ("replicas",)),
    "statefulsets": (_statefulset, ("replicas", "collisionCount")),
    "daemonsets": (_daemonset, ("currentNumberScheduled", "numberMisscheduled",
                                "desiredNumberScheduled", "numberReady")),
}


def derive_workload_status(store: Store) -> None:
    """Fill the status fields of apps/v1 controllers that the scenario leaves out."""
    for plural, (compute, required) in _WORKLOADS.items():
        for obj in items(store, "apps", plural):
            _fill(obj, compute(store, obj), required)
