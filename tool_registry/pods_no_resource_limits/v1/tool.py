import sre

MAX_PAGES = 20


def _pods(namespace, max_items):
    items, query = [], {"limit": min(max_items, 500)}
    for _ in range(MAX_PAGES):
        if namespace:
            page = sre.request("kubernetes/core_v1/listCoreV1NamespacedPod",
                               dict(query, namespace=namespace))
        else:
            page = sre.request("kubernetes/core_v1/listCoreV1PodForAllNamespaces", query)
        items.extend(page.get("items") or [])
        token = (page.get("metadata") or {}).get("continue")
        if not token or len(items) >= max_items:
            break
        query["continue"] = token
    return items[:max_items]


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
