import sre


def _pods(namespace, max_items):
    size = min(max_items, 500)
    if namespace:
        pages = sre.pages("kubernetes/core_v1/listCoreV1NamespacedPod", {"namespace": namespace},
                          page_size=size, max_items=max_items)
    else:
        pages = sre.pages("kubernetes/core_v1/listCoreV1PodForAllNamespaces", {},
                          page_size=size, max_items=max_items)
    return [item for page in pages for item in page.get("items") or []]


def _condition(pod, kind):
    for cond in (pod.get("status") or {}).get("conditions") or []:
        if cond.get("type") == kind:
            return cond
    return None


def _is_ready(pod):
    ready = _condition(pod, "Ready")
    if ready is not None:
        return ready.get("status") == "True"
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return bool(statuses) and all(cs.get("ready") for cs in statuses)


def main(namespace: str = "", max_items: int = 500) -> dict:
    """Pods that are not Ready (completed pods are skipped), with the reason for each."""
    rows = []
    pods = _pods(namespace, max_items)
    for pod in pods:
        status = pod.get("status") or {}
        phase = status.get("phase", "Unknown")
        if phase == "Succeeded" or _is_ready(pod):
            continue
        containers = []
        for cs in status.get("containerStatuses") or []:
            if cs.get("ready"):
                continue
            state = cs.get("state") or {}
            detail = state.get("waiting") or state.get("terminated") or {}
            containers.append({"name": cs.get("name"), "state": next(iter(state), "unknown"),
                               "reason": detail.get("reason", ""),
                               "restarts": cs.get("restartCount", 0)})
        ready = _condition(pod, "Ready") or {}
        scheduled = _condition(pod, "PodScheduled") or {}
        reason = next((c["reason"] for c in containers if c["reason"]), "") or (
            scheduled.get("reason") if scheduled.get("status") == "False" else "") or \
            ready.get("reason", "") or status.get("reason", "")
        message = scheduled.get("message") if scheduled.get("status") == "False" else \
            ready.get("message", "")
        rows.append({"namespace": pod["metadata"].get("namespace", ""),
                     "pod": pod["metadata"]["name"], "phase": phase,
                     "node": (pod.get("spec") or {}).get("nodeName", ""),
                     "reason": reason, "message": (message or "")[:300],
                     "containers": containers})
    rows.sort(key=lambda r: (r["namespace"], r["pod"]))
    return {"count": len(rows), "pods_checked": len(pods), "pods": rows}
