from datetime import UTC, datetime

import sre


def main(state: str = "ALARM", name_prefix: str = "", max_items: int = 200) -> dict:
    """CloudWatch alarms in a given state (ALARM by default), longest firing first, with the
    metric, threshold and the reason CloudWatch gives."""
    now = datetime.now(UTC)
    query = {"StateValue": state}
    if name_prefix:
        query["AlarmNamePrefix"] = name_prefix
    rows = []
    for page in sre.pages("aws/cloudwatch/DescribeAlarms", query, max_items=max_items):
        for alarm in (page.get("MetricAlarms") or []) + (page.get("CompositeAlarms") or []):
            since = alarm.get("StateUpdatedTimestamp")
            minutes = None
            if since:
                when = datetime.fromisoformat(str(since).replace("Z", "+00:00"))
                minutes = round((now - when).total_seconds() / 60, 1)
            rows.append({"alarm": alarm["AlarmName"], "state": alarm.get("StateValue", state),
                         "kind": "composite" if "AlarmRule" in alarm else "metric",
                         "metric": "/".join(filter(None, [alarm.get("Namespace"),
                                                          alarm.get("MetricName")])),
                         "dimensions": {d["Name"]: d["Value"]
                                        for d in alarm.get("Dimensions") or []},
                         "threshold": alarm.get("Threshold"),
                         "comparison": alarm.get("ComparisonOperator", ""),
                         "reason": alarm.get("StateReason", ""),
                         "since": str(since) if since else None, "minutes_in_state": minutes,
                         "actions_enabled": alarm.get("ActionsEnabled")})
    rows.sort(key=lambda r: -(r["minutes_in_state"] or 0))
    return {"state": state, "count": len(rows), "alarms": rows}

# --- test ---

def test_lists_alarms_in_alarm_state():
    result = main()
    assert result["count"] == len(result["alarms"]) >= 1
    for row in result["alarms"]:
        assert row["state"] == "ALARM" and row["alarm"] and row["reason"]


def test_other_states_and_prefix():
    ok = main(state="OK")
    assert all(r["state"] == "OK" for r in ok["alarms"])
    assert main(name_prefix="no-such-alarm-prefix")["count"] == 0
