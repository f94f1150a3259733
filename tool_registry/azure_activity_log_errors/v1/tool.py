from datetime import UTC, datetime, timedelta

import sre


def main(subscription_id: str, window_hours: int = 24, resource_group: str = "",
         max_events: int = 500) -> dict:
    """Failed and error operations in the Azure activity log of a subscription in the last
    window_hours (who did what to which resource, and when), newest first, counted by
    operation."""
    since = (datetime.now(UTC) - timedelta(hours=window_hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
    query = f"eventTimestamp ge '{since}'"
    if resource_group:
        query += f" and resourceGroupName eq '{resource_group}'"
    data = sre.call("azure/monitor/ActivityLogs_List", subscriptionId=subscription_id,
                    **{"$filter": query})
    rows, by_operation = [], {}
    for event in (data.get("value") or [])[:max_events]:
        status = (event.get("status") or {}).get("value", "")
        level = event.get("level", "")
        if status != "Failed" and level not in ("Error", "Critical"):
            continue
        operation = (event.get("operationName") or {}).get("value", "")
        by_operation[operation] = by_operation.get(operation, 0) + 1
        rows.append({"time": event.get("eventTimestamp", ""), "operation": operation,
                     "status": status, "level": level, "caller": event.get("caller", ""),
                     "resource_group": event.get("resourceGroupName", ""),
                     "resource": event.get("resourceId", "")})
    rows.sort(key=lambda r: r["time"], reverse=True)
    return {"subscription_id": subscription_id, "filter": query, "count": len(rows),
            "by_operation": by_operation, "events": rows}
