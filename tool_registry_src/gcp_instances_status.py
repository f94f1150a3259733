import sre


def main(project: str, status: str = "", max_instances: int = 500) -> dict:
    """Compute Engine VM instances of a project in every zone, with their status (RUNNING,
    TERMINATED, ...), machine type and zone, and a count per status."""
    rows, by_status = [], {}
    query = {"project": project, "maxResults": 500}
    for page in sre.pages("gcp/compute/compute.instances.aggregatedList", query,
                          max_items=max_instances):
        for scope in (page.get("items") or {}).values():
            for inst in scope.get("instances") or []:
                state = inst.get("status", "")
                by_status[state] = by_status.get(state, 0) + 1
                if status and state != status:
                    continue
                rows.append({"name": inst.get("name", ""), "status": state,
                             "zone": str(inst.get("zone", "")).rsplit("/", 1)[-1],
                             "machine_type": str(inst.get("machineType", "")).rsplit("/", 1)[-1]})
        if len(rows) >= max_instances:
            break
    rows = sorted(rows, key=lambda r: (r["status"], r["name"]))[:max_instances]
    return {"project": project, "count": len(rows), "by_status": by_status, "instances": rows}

# --- test ---

def test_lists_instances_with_their_status():
    result = main(project="shop-prod")
    assert result["count"] == len(result["instances"]) >= 2
    assert result["by_status"].get("RUNNING", 0) >= 1
    assert all(r["name"] and r["zone"] for r in result["instances"])


def test_status_filter():
    running = main(project="shop-prod", status="RUNNING")
    assert running["instances"] and all(r["status"] == "RUNNING" for r in running["instances"])
    assert running["count"] < main(project="shop-prod")["count"]
