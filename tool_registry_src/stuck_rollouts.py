import sre


def _deployments(namespace, max_items):
    size = min(max_items, 500)
    if namespace:
        pages = sre.pages("kubernetes/apps_v1/listAppsV1NamespacedDeployment",
                          {"namespace": namespace},
                          page_size=size, max_items=max_items)
    else:
        pages = sre.pages("kubernetes/apps_v1/listAppsV1DeploymentForAllNamespaces", {},
                          page_size=size, max_items=max_items)
    return [item for page in pages for item in page.get("items") or []]


def main(namespace: str = "", include_degraded: bool = True, max_items: int = 500) -> dict:
    """Deployments whose rollout is stuck (ProgressDeadlineExceeded) or lagging: updated,
    ready or available replicas below the desired count."""
    rows = []
    for dep in _deployments(namespace, max_items):
        meta, spec, status = dep["metadata"], dep.get("spec") or {}, dep.get("status") or {}
        desired = spec.get("replicas", 1)
        updated = status.get("updatedReplicas", 0)
        ready = status.get("readyReplicas", 0)
        available = status.get("availableReplicas", 0)
        progressing = next((c for c in status.get("conditions") or []
                            if c.get("type") == "Progressing"), {})
        stuck = progressing.get("status") == "False" or \
            progressing.get("reason") == "ProgressDeadlineExceeded"
        rolling = updated < desired or \
            status.get("observedGeneration", 0) < meta.get("generation", 0)
        degraded = available < desired or ready < desired
        if not (stuck or rolling or (include_degraded and degraded)) or spec.get("paused"):
            continue
        images = [c.get("image") for c in
                  ((spec.get("template") or {}).get("spec") or {}).get("containers") or []]
        rows.append({"namespace": meta.get("namespace", ""), "deployment": meta["name"],
                     "desired": desired, "updated": updated, "ready": ready,
                     "available": available, "stuck": stuck,
                     "state": "stuck" if stuck else "rolling out" if rolling else "degraded",
                     "reason": progressing.get("reason", ""),
                     "message": progressing.get("message", ""), "images": images})
    rows.sort(key=lambda r: (not r["stuck"], r["namespace"], r["deployment"]))
    return {"count": len(rows), "stuck": sum(r["stuck"] for r in rows), "deployments": rows}

# --- test ---

def test_finds_stuck_and_lagging_deployments():
    result = main(namespace="shop")
    assert result["count"] == len(result["deployments"]) >= 1
    assert result["stuck"] >= 1
    first = result["deployments"][0]
    assert first["stuck"] and first["state"] == "stuck"
    for row in result["deployments"]:
        assert row["updated"] < row["desired"] or row["available"] < row["desired"] \
            or row["ready"] < row["desired"] or row["stuck"]


def test_degraded_can_be_left_out():
    only = main(namespace="shop", include_degraded=False)
    assert only["count"] <= main(namespace="shop")["count"]
    assert all(r["state"] != "degraded" for r in only["deployments"])
