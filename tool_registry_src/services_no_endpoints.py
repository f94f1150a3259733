import sre


def _services(namespace, max_items):
    size = min(max_items, 500)
    if namespace:
        pages = sre.pages("kubernetes/core_v1/listCoreV1NamespacedService",
                          {"namespace": namespace},
                          page_size=size, max_items=max_items)
    else:
        pages = sre.pages("kubernetes/core_v1/listCoreV1ServiceForAllNamespaces", {},
                          page_size=size, max_items=max_items)
    return [item for page in pages for item in page.get("items") or []]


def _pods(namespace, max_items):
    size = min(max_items, 500)
    if namespace:
        pages = sre.pages("kubernetes/core_v1/listCoreV1NamespacedPod", {"namespace": namespace},
                          page_size=size, max_items=max_items)
    else:
        pages = sre.pages("kubernetes/core_v1/listCoreV1PodForAllNamespaces", {},
                          page_size=size, max_items=max_items)
    return [item for page in pages for item in page.get("items") or []]


def _ready(pod):
    status = pod.get("status") or {}
    for cond in status.get("conditions") or []:
        if cond.get("type") == "Ready":
            return cond.get("status") == "True"
    statuses = status.get("containerStatuses") or []
    return status.get("phase") == "Running" and bool(statuses) and \
        all(cs.get("ready") for cs in statuses)


def main(namespace: str = "", min_ready: int = 1, max_items: int = 2000) -> dict:
    """Services whose selector matches fewer than min_ready ready pods (no endpoints: traffic
    to them fails), with how many pods match and how many are ready."""
    pods = _pods(namespace, max_items)
    rows = []
    services = _services(namespace, max_items)
    for svc in services:
        spec = svc.get("spec") or {}
        selector = spec.get("selector") or {}
        if spec.get("type") == "ExternalName" or not selector:
            continue  # no selector: endpoints are managed by hand
        ns = svc["metadata"].get("namespace", "")
        matching = [p for p in pods if p["metadata"].get("namespace", "") == ns and all(
            (p["metadata"].get("labels") or {}).get(k) == v for k, v in selector.items())]
        ready = sum(1 for p in matching if _ready(p))
        if ready >= min_ready:
            continue
        rows.append({"namespace": ns, "service": svc["metadata"]["name"],
                     "type": spec.get("type", "ClusterIP"), "selector": selector,
                     "matching_pods": len(matching), "ready_pods": ready,
                     "ports": [p.get("port") for p in spec.get("ports") or []]})
    rows.sort(key=lambda r: (r["ready_pods"], r["namespace"], r["service"]))
    return {"count": len(rows), "services_checked": len(services), "services": rows}

# --- test ---

def test_services_with_too_few_ready_pods():
    result = main(namespace="shop", min_ready=2)
    assert result["count"] == len(result["services"]) >= 1
    assert result["services_checked"] >= result["count"]
    for row in result["services"]:
        assert row["ready_pods"] < 2 and row["ready_pods"] <= row["matching_pods"]
        assert row["selector"]


def test_default_reports_services_with_no_ready_pod():
    result = main()
    assert all(row["ready_pods"] == 0 for row in result["services"])
