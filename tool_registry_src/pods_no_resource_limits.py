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


def main(namespace: str = "",
         require: list | None = None, max_items: int = 1000) -> dict:
    """Containers missing resource requests or limits (by default: CPU and memory requests
    and a memory limit), grouped by the workload that owns the pod."""
    require = require or ["requests.cpu", "requests.memory", "limits.memory"]
    rows, seen = [], set()
    for pod in _pods(namespace, max_items):
        meta = pod["metadata"]
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            continue
        owner = next(iter(meta.get("ownerReferences") or []), {})
        workload = f"{owner.get('kind', 'Pod')}/{owner.get('name', meta['name'])}"
        for container in (pod.get("spec") or {}).get("containers") or []:
            res = container.get("resources") or {}
            missing = [key for key in require
                       if not (res.get(key.split(".")[0]) or {}).get(key.split(".")[1])]
            key = (meta.get("namespace", ""), workload, container.get("name"))
            if not missing or key in seen:
                continue
            seen.add(key)
            rows.append({"namespace": key[0], "workload": workload, "pod": meta["name"],
                         "container": key[2], "image": container.get("image", ""),
                         "missing": missing})
    rows.sort(key=lambda r: (r["namespace"], r["workload"], r["container"]))
    return {"count": len(rows), "required": require, "containers": rows}

# --- test ---

def test_finds_containers_without_limits():
    result = main(namespace="shop")
    assert result["count"] == len(result["containers"]) >= 1
    for row in result["containers"]:
        assert row["missing"] and set(row["missing"]) <= set(result["required"])
    keys = [(r["workload"], r["container"]) for r in result["containers"]]
    assert len(keys) == len(set(keys))


def test_custom_requirement():
    cpu_limits = main(namespace="shop", require=["limits.cpu"])
    assert all(r["missing"] == ["limits.cpu"] for r in cpu_limits["containers"])
    assert cpu_limits["count"] >= 1
