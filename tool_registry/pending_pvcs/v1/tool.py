import sre

MAX_PAGES = 20


def _claims(namespace, max_items):
    items, query = [], {"limit": min(max_items, 500)}
    for _ in range(MAX_PAGES):
        if namespace:
            page = sre.request("kubernetes/core_v1/listCoreV1NamespacedPersistentVolumeClaim",
                               dict(query, namespace=namespace))
        else:
            page = sre.request(
                "kubernetes/core_v1/listCoreV1PersistentVolumeClaimForAllNamespaces", query)
        items.extend(page.get("items") or [])
        token = (page.get("metadata") or {}).get("continue")
        if not token or len(items) >= max_items:
            break
        query["continue"] = token
    return items[:max_items]


def main(namespace: str = "", max_items: int = 500) -> dict:
    """PersistentVolumeClaims that are not Bound, with their storage class and whether that
    class exists (the usual cause of a claim stuck in Pending)."""
    classes = sre.call("kubernetes/storage_v1/listStorageV1StorageClass", limit=500)
    known = {c["metadata"]["name"] for c in classes.get("items") or []}
    default = next((c["metadata"]["name"] for c in classes.get("items") or []
                    if (c["metadata"].get("annotations") or {}).get(
                        "storageclass.kubernetes.io/is-default-class") == "true"), None)
    rows = []
    claims = _claims(namespace, max_items)
    for pvc in claims:
        phase = (pvc.get("status") or {}).get("phase", "Pending")
        if phase == "Bound":
            continue
        spec = pvc.get("spec") or {}
        wanted = spec.get("storageClassName") or default
        rows.append({"namespace": pvc["metadata"].get("namespace", ""),
                     "claim": pvc["metadata"]["name"], "phase": phase,
                     "storage_class": wanted or "",
                     "storage_class_exists": wanted in known if wanted else False,
                     "requested": ((spec.get("resources") or {}).get("requests") or {}).get(
                         "storage", ""),
                     "access_modes": spec.get("accessModes") or [],
                     "created": pvc["metadata"].get("creationTimestamp")})
    rows.sort(key=lambda r: (r["namespace"], r["claim"]))
    return {"count": len(rows), "claims_checked": len(claims), "storage_classes": sorted(known),
            "claims": rows}
