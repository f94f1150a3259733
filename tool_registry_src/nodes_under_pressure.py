import sre

PRESSURE = ("MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable")


def _nodes(max_items):
    size = min(max_items, 500)
    pages = sre.pages("kubernetes/core_v1/listCoreV1Node", {}, page_size=size, max_items=max_items)
    return [item for page in pages for item in page.get("items") or []]


def main(include_healthy: bool = False, max_items: int = 1000) -> dict:
    """Nodes under memory, disk or PID pressure, not Ready, or cordoned, with their taints."""
    rows = []
    nodes = _nodes(max_items)
    for node in nodes:
        status = node.get("status") or {}
        spec = node.get("spec") or {}
        conditions = {c.get("type"): c for c in status.get("conditions") or []}
        problems = [f"{kind}: {conditions[kind].get('reason', '')}".rstrip(": ")
                    for kind in PRESSURE
                    if conditions.get(kind, {}).get("status") == "True"]
        ready = conditions.get("Ready", {})
        if ready.get("status") != "True":
            problems.append(f"NotReady: {ready.get('reason', 'no Ready condition')}")
        if spec.get("unschedulable"):
            problems.append("cordoned (unschedulable)")
        if not problems and not include_healthy:
            continue
        rows.append({"node": node["metadata"]["name"], "problems": problems,
                     "ready": ready.get("status") == "True",
                     "taints": [f"{t.get('key')}:{t.get('effect')}"
                                for t in spec.get("taints") or []],
                     "zone": (node["metadata"].get("labels") or {}).get(
                         "topology.kubernetes.io/zone", "")})
    rows.sort(key=lambda r: (-len(r["problems"]), r["node"]))
    return {"count": sum(1 for r in rows if r["problems"]), "nodes_checked": len(nodes),
            "nodes": rows}

# --- test ---

def test_reports_nodes_with_pressure():
    result = main()
    assert result["count"] == len(result["nodes"]) >= 1
    for row in result["nodes"]:
        assert row["problems"] and isinstance(row["taints"], list)
    assert any(p.startswith("MemoryPressure") for r in result["nodes"] for p in r["problems"])


def test_include_healthy_lists_every_node():
    result = main(include_healthy=True)
    assert len(result["nodes"]) == result["nodes_checked"] >= result["count"]
