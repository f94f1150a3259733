import re
from datetime import UTC, datetime

import sre

WHEN = re.compile(r"\((\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)")


def main(min_days_stopped: float = 0, max_items: int = 500) -> dict:
    """EC2 instances in the stopped state, longest stopped first, with when and why they
    stopped (their EBS volumes still cost money)."""
    now = datetime.now(UTC)
    rows = []
    query = {"Filters": [{"Name": "instance-state-name", "Values": ["stopped"]}]}
    for page in sre.pages("aws/ec2/DescribeInstances", query, max_items=max_items):
        for reservation in page.get("Reservations") or []:
            for inst in reservation.get("Instances") or []:
                transition = inst.get("StateTransitionReason") or ""
                match = WHEN.search(transition)
                stopped_at, days = None, None
                if match:
                    when = datetime.fromisoformat(match.group(1)).replace(tzinfo=UTC)
                    stopped_at = when.isoformat()
                    days = round((now - when).total_seconds() / 86400, 2)
                if min_days_stopped and (days is None or days < min_days_stopped):
                    continue
                rows.append({"instance_id": inst["InstanceId"],
                             "name": next((t["Value"] for t in inst.get("Tags") or []
                                           if t.get("Key") == "Name"), ""),
                             "type": inst.get("InstanceType", ""), "stopped_at": stopped_at,
                             "days_stopped": days,
                             "reason": (inst.get("StateReason") or {}).get("Message")
                             or transition,
                             "volumes": [m["Ebs"]["VolumeId"] for m in
                                         inst.get("BlockDeviceMappings") or [] if "Ebs" in m]})
    rows.sort(key=lambda r: -(r["days_stopped"] or 0))
    return {"count": len(rows), "instances": rows}

# --- test ---

def test_lists_stopped_instances():
    result = main()
    assert result["count"] == len(result["instances"]) >= 1
    for row in result["instances"]:
        assert row["instance_id"].startswith("i-") and row["reason"]
        assert row["days_stopped"] is None or row["days_stopped"] >= 0


def test_age_filter():
    assert main(min_days_stopped=3650)["count"] == 0
