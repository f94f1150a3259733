import sre


def _claims(namespace, max_items):
    size = min(max_items, 500)
    if namespace:
        pages = sre.pages("kubernetes/core_v1/listCoreV1NamespacedPersistentVolumeClaim",
                          {"namespace": namespace},
                          page_size=size, max_items=max_items)
    else:
        pages = sre.pages("kubernetes/core_v1/listCoreV1PersistentVolumeClaimForAllNamespaces", {},
                          page_size=size, max_items=max_items)
    return [item for page in pages for item in page.get("items") or []]


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

# --- test ---

def test_lists_unbound_claims_with_their_class():
    result = main(namespace="shop")
    assert result["count"] == len(result["claims"]) >= 1
    assert result["claims_checked"] > result["count"]
    for row in result["claims"]:
        assert row["phase"] != "Bound" and row["claim"]
        assert row["storage_class_exists"] == (row["storage_class"] in result["storage_classes"])
    assert any(not r["storage_class_exists"] for r in result["claims"])
