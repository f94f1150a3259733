import sre


def main(name_prefix: str = "", max_items: int = 500) -> dict:
    """CloudWatch Logs groups that never expire (no retention policy), largest first, with
    their stored bytes; groups with a retention are counted, not listed."""
    query = {"logGroupNamePrefix": name_prefix} if name_prefix else {}
    rows, checked = [], 0
    for page in sre.pages("aws/logs/DescribeLogGroups", query, max_items=max_items):
        for group in page.get("logGroups") or []:
            checked += 1
            if group.get("retentionInDays"):
                continue
            rows.append({"log_group": group["logGroupName"],
                         "stored_mib": round((group.get("storedBytes") or 0) / 2**20, 2),
                         "created": group.get("creationTime"),
                         "metric_filters": group.get("metricFilterCount", 0)})
    rows.sort(key=lambda r: (-r["stored_mib"], r["log_group"]))
    return {"groups_checked": checked, "count": len(rows), "log_groups": rows}

# --- test ---

def test_lists_groups_kept_forever():
    result = main()
    assert result["count"] == len(result["log_groups"]) >= 1
    assert result["groups_checked"] > result["count"]
    assert all(g["log_group"].startswith("/") for g in result["log_groups"])


def test_prefix():
    shop = main(name_prefix="/shop/")
    assert all(g["log_group"].startswith("/shop/") for g in shop["log_groups"])
    assert main(name_prefix="/no-such-prefix/")["groups_checked"] == 0
