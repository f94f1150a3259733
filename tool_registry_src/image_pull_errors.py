import sre

PULL_ERRORS = ("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull",
               "RegistryUnavailable", "SignatureValidationFailed")


def _pods(namespace, max_items):
    size = min(max_items, 500)
    if namespace:
        pages = sre.pages("kubernetes/core_v1/listCoreV1NamespacedPod", {"namespace": namespace},
                          page_size=size, max_items=max_items)
    else:
        pages = sre.pages("kubernetes/core_v1/listCoreV1PodForAllNamespaces", {},
                          page_size=size, max_items=max_items)
    return [item for page in pages for item in page.get("items") or []]


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

# --- test ---

def test_finds_image_pull_failures():
    result = main(namespace="shop")
    assert result["count"] == len(result["containers"]) >= 1
    for row in result["containers"]:
        assert row["reason"] in PULL_ERRORS and row["image"]
    assert set(result["images"]) == {r["image"] for r in result["containers"]}


def test_namespace_without_pull_errors():
    assert main(namespace="kube-system")["count"] == 0
