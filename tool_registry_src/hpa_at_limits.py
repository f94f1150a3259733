import sre


def _autoscalers(namespace, max_items):
    size = min(max_items, 500)
    if namespace:
        pages = sre.pages("kubernetes/autoscaling_v2/listAutoscalingV2NamespacedHorizontalPodAutoscaler",
                          {"namespace": namespace},
                          page_size=size, max_items=max_items)
    else:
        pages = sre.pages("kubernetes/autoscaling_v2/listAutoscalingV2HorizontalPodAutoscalerForAllNamespaces",
                          {},
                          page_size=size, max_items=max_items)
    return [item for page in pages for item in page.get("items") or []]


def _target(metric_spec):
    inner = next((v for k, v in metric_spec.items() if k != "type" and isinstance(v, dict)), {})
    name = inner.get("name") or (inner.get("metric") or {}).get("name") or metric_spec["type"]
    return name, inner.get("target") or {}, inner


def main(namespace: str = "", include_all: bool = False, max_items: int = 500) -> dict:
    """HorizontalPodAutoscalers that cannot keep up: at maxReplicas, a metric above its
    target, or scaling limited/unable to scale; with current vs target metrics."""
    rows = []
    for hpa in _autoscalers(namespace, max_items):
        spec, status = hpa.get("spec") or {}, hpa.get("status") or {}
        current = {}
        for metric in status.get("currentMetrics") or []:
            name, _, inner = _target(metric)
            current[name] = inner.get("current") or {}
        metrics, above = [], []
        for metric in spec.get("metrics") or []:
            name, target, _ = _target(metric)
            now = current.get(name, {})
            goal = target.get("averageUtilization")
            value = now.get("averageUtilization")
            metrics.append({"metric": name, "target": goal if goal is not None else
                            target.get("averageValue") or target.get("value"),
                            "current": value if value is not None else
                            now.get("averageValue") or now.get("value")})
            if goal is not None and value is not None and value > goal:
                above.append(name)
        conditions = {c.get("type"): c for c in status.get("conditions") or []}
        problems = [f"{m} above target" for m in above]
        if status.get("currentReplicas", 0) >= spec.get("maxReplicas", 10**9):
            problems.append("at maxReplicas")
        if conditions.get("ScalingLimited", {}).get("status") == "True":
            problems.append("ScalingLimited: " + conditions["ScalingLimited"].get("reason", ""))
        if conditions.get("AbleToScale", {}).get("status") == "False":
            problems.append("AbleToScale False: " + conditions["AbleToScale"].get("reason", ""))
        if not problems and not include_all:
            continue
        ref = spec.get("scaleTargetRef") or {}
        rows.append({"namespace": hpa["metadata"].get("namespace", ""),
                     "hpa": hpa["metadata"]["name"],
                     "target": f"{ref.get('kind', '')}/{ref.get('name', '')}",
                     "min_replicas": spec.get("minReplicas", 1),
                     "max_replicas": spec.get("maxReplicas"),
                     "current_replicas": status.get("currentReplicas", 0),
                     "desired_replicas": status.get("desiredReplicas", 0),
                     "metrics": metrics, "problems": problems})
    return {"count": sum(1 for r in rows if r["problems"]), "autoscalers": rows}

# --- test ---

def test_flags_autoscalers_under_strain():
    result = main(namespace="shop")
    assert result["count"] == len(result["autoscalers"]) >= 1
    for row in result["autoscalers"]:
        assert row["problems"] and row["max_replicas"] >= row["min_replicas"]
        assert all({"metric", "target", "current"} <= set(m) for m in row["metrics"])


def test_include_all():
    assert len(main(include_all=True)["autoscalers"]) >= main()["count"]
