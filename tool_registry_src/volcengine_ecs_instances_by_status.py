import volcenginesdkecs


def main(max_instances: int = 1000, list_status: str = "not_running") -> dict:
    """Volcano Engine ECS instances counted by status (RUNNING, STOPPED, ...), with the
    instances that are not running listed (or those of one status)."""
    ecs = volcenginesdkecs.ECSApi()
    instances, token = [], None
    for _ in range(50):
        resp = ecs.describe_instances(volcenginesdkecs.DescribeInstancesRequest(
            max_results=100, next_token=token))
        instances += resp.instances or []
        token = resp.next_token
        if not token or len(instances) >= max_instances:
            break
    counts = {}
    listed = []
    for inst in instances[:max_instances]:
        status = inst.status or "UNKNOWN"
        counts[status] = counts.get(status, 0) + 1
        wanted = status != "RUNNING" if list_status == "not_running" else \
            status == list_status.upper()
        if wanted:
            listed.append({"instance_id": inst.instance_id, "name": inst.instance_name or "",
                           "status": status, "zone": inst.zone_id or "",
                           "type": inst.instance_type_id or ""})
    return {"total": sum(counts.values()), "by_status": dict(sorted(counts.items())),
            "count": len(listed), "instances": listed}

# --- test ---

def test_counts_add_up_and_listed_are_not_running():
    result = main()
    assert result["total"] == sum(result["by_status"].values()) >= 1
    assert all(r["status"] != "RUNNING" for r in result["instances"])
    assert result["count"] == len(result["instances"])


def test_one_status():
    running = main(list_status="RUNNING")
    assert all(r["status"] == "RUNNING" for r in running["instances"])
    assert running["count"] == running["by_status"].get("RUNNING", 0)
