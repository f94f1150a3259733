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
