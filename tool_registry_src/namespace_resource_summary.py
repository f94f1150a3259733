import sre

UNITS = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
         "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18}


def _pods(namespace, max_items):
    size = min(max_items, 500)
    if namespace:
        pages = sre.pages("kubernetes/core_v1/listCoreV1NamespacedPod", {"namespace": namespace},
                          page_size=size, max_items=max_items)
    else:
        pages = sre.pages("kubernetes/core_v1/listCoreV1PodForAllNamespaces", {},
                          page_size=size, max_items=max_items)
    return [item for page in pages for item in page.get("items") or []]


def cpu_cores(quantity):
    text = str(quantity)
    if text.endswith("m"):
        return float(text[:-1]) / 1000
    return float(text)


def mem_bytes(quantity):
    text = str(quantity)
    for suffix in sorted(UNITS, key=len, reverse=True):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * UNITS[suffix]
    return float(text)


def main(namespace: str = "", max_items: int = 2000) -> dict:
    """Per namespace: pods by phase, pods not ready, container restarts, and the CPU (cores)
    and memory (MiB) the running pods request and are limited to."""
    out = {}
    pods = _pods(namespace, max_items)
    for pod in pods:
        ns = pod["metadata"].get("namespace", "")
        row = out.setdefault(ns, {"namespace": ns, "pods": 0, "phases": {}, "not_ready": 0,
                                  "restarts": 0, "cpu_requests": 0.0, "cpu_limits": 0.0,
                                  "memory_requests_mib": 0.0, "memory_limits_mib": 0.0,
                                  "containers_without_limits": 0})
        status = pod.get("status") or {}
        phase = status.get("phase", "Unknown")
        row["pods"] += 1
        row["phases"][phase] = row["phases"].get(phase, 0) + 1
        statuses = status.get("containerStatuses") or []
        row["restarts"] += sum(cs.get("restartCount", 0) for cs in statuses)
        if phase != "Succeeded" and not (statuses and all(cs.get("ready") for cs in statuses)):
            row["not_ready"] += 1
        if phase in ("Succeeded", "Failed"):
            continue
        for container in (pod.get("spec") or {}).get("containers") or []:
            res = container.get("resources") or {}
            req, lim = res.get("requests") or {}, res.get("limits") or {}
            row["cpu_requests"] += cpu_cores(req.get("cpu", 0))
            row["cpu_limits"] += cpu_cores(lim.get("cpu", 0))
            row["memory_requests_mib"] += mem_bytes(req.get("memory", 0)) / 2**20
            row["memory_limits_mib"] += mem_bytes(lim.get("memory", 0)) / 2**20
            if not lim:
                row["containers_without_limits"] += 1
    rows = sorted(out.values(), key=lambda r: -r["pods"])
    for row in rows:
        for key in ("cpu_requests", "cpu_limits", "memory_requests_mib", "memory_limits_mib"):
            row[key] = round(row[key], 3)
    return {"namespaces": rows, "pods_checked": len(pods)}

# --- test ---

def test_summarises_one_namespace():
    result = main(namespace="shop")
    assert [r["namespace"] for r in result["namespaces"]] == ["shop"]
    shop = result["namespaces"][0]
    assert shop["pods"] == sum(shop["phases"].values()) == result["pods_checked"] > 0
    assert shop["cpu_requests"] > 0 and shop["memory_limits_mib"] > 0
    assert 0 <= shop["not_ready"] <= shop["pods"]


def test_quantities():
    assert cpu_cores("250m") == 0.25 and cpu_cores("2") == 2.0
    assert mem_bytes("256Mi") == 256 * 2**20 and mem_bytes("1G") == 10**9


def test_every_namespace():
    names = [r["namespace"] for r in main()["namespaces"]]
    assert "shop" in names and len(names) == len(set(names)) >= 2
