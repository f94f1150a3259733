import sre


def main(name_contains: str = "", include_healthy: bool = False,
         max_target_groups: int = 50) -> dict:
    """Load balancer (ALB/NLB, ELBv2) targets that are not healthy, per target group, with
    the health state, reason and description."""
    groups, rows = [], []
    for page in sre.pages("aws/elbv2/DescribeTargetGroups", {}, max_items=max_target_groups):
        groups.extend(page.get("TargetGroups") or [])
    groups = [g for g in groups if name_contains.lower() in g["TargetGroupName"].lower()]
    summary = []
    for group in groups[:max_target_groups]:
        health = sre.call("aws/elbv2/DescribeTargetHealth",
                          TargetGroupArn=group["TargetGroupArn"])
        targets = health.get("TargetHealthDescriptions") or []
        bad = 0
        for target in targets:
            state = (target.get("TargetHealth") or {}).get("State", "unknown")
            if state != "healthy":
                bad += 1
            if state == "healthy" and not include_healthy:
                continue
            rows.append({"target_group": group["TargetGroupName"],
                         "target": target["Target"]["Id"],
                         "port": target["Target"].get("Port"), "state": state,
                         "reason": (target.get("TargetHealth") or {}).get("Reason", ""),
                         "description": (target.get("TargetHealth") or {}).get(
                             "Description", "")})
        summary.append({"target_group": group["TargetGroupName"],
                        "protocol": group.get("Protocol", ""), "port": group.get("Port"),
                        "load_balancers": len(group.get("LoadBalancerArns") or []),
                        "targets": len(targets), "not_healthy": bad})
    return {"count": sum(1 for r in rows if r["state"] != "healthy"),
            "target_groups": summary, "targets": rows}

# --- test ---

def test_reports_targets_that_are_not_healthy():
    result = main()
    assert result["count"] == len(result["targets"]) >= 1
    assert all(t["state"] != "healthy" and t["reason"] for t in result["targets"])
    assert sum(g["not_healthy"] for g in result["target_groups"]) == result["count"]


def test_include_healthy_and_name_filter():
    everything = main(include_healthy=True)
    assert len(everything["targets"]) == sum(g["targets"] for g in everything["target_groups"])
    assert main(name_contains="no-such-group")["target_groups"] == []
