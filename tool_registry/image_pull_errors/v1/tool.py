import sre

MAX_PAGES = 20
PULL_ERRORS = ("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull",
               "RegistryUnavailable", "SignatureValidationFailed")


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


def main(namespace: str = "", max_items: int = 500) -> dict:
    """Containers that cannot pull their image (ErrImagePull, ImagePullBackOff,
    InvalidImageName...), with the image and the registry's message."""
    rows = []
    for pod in _pods(namespace, max_items):
        status = pod.get("status") or {}
        for cs in (status.get("initContainerStatuses") or []) + \
                (status.get("containerStatuses") or []):
            waiting = (cs.get("state") or {}).get("waiting") or {}
            if waiting.get("reason") not in PULL_ERRORS:
                continue
            rows.append({"namespace": pod["metadata"].get("namespace", ""),
                         "pod": pod["metadata"]["name"], "container": cs.get("name"),
                         "image": cs.get("image", ""), "reason": waiting["reason"],
                         "message": (waiting.get("message") or "")[:300],
                         "node": (pod.get("spec") or {}).get("nodeName", "")})
    rows.sort(key=lambda r: (r["namespace"], r["pod"], r["container"]))
    return {"count": len(rows), "images": sorted({r["image"] for r in rows}), "containers": rows}
