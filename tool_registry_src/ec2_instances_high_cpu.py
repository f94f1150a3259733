from datetime import UTC, datetime, timedelta

import sre

BATCH = 100  # GetMetricData takes at most 500 queries per call


def _name(instance):
    return next((t["Value"] for t in instance.get("Tags") or [] if t.get("Key") == "Name"), "")


def main(threshold: float = 80.0, window_minutes: int = 60, period_seconds: int = 300,
         state: str = "running", max_instances: int = 200) -> dict:
    """EC2 instances whose average CPUUtilization over the last window_minutes is above
    threshold percent, hottest first."""
    instances = []
    query = {"Filters": [{"Name": "instance-state-name", "Values": [state]}]}
    for page in sre.pages("aws/ec2/DescribeInstances", query, max_items=max_instances):
        for reservation in page.get("Reservations") or []:
            instances.extend(reservation.get("Instances") or [])
    instances = instances[:max_instances]
    end = datetime.now(UTC)
    start = end - timedelta(minutes=window_minutes)
    values = {}
    for first in range(0, len(instances), BATCH):
        batch = instances[first:first + BATCH]
        queries = [{"Id": f"cpu{first + i}", "ReturnData": True, "MetricStat": {
            "Metric": {"Namespace": "AWS/EC2", "MetricName": "CPUUtilization",
                       "Dimensions": [{"Name": "InstanceId", "Value": inst["InstanceId"]}]},
            "Period": period_seconds, "Stat": "Average"}} for i, inst in enumerate(batch)]
        data = sre.call("aws/cloudwatch/GetMetricData", MetricDataQueries=queries,
                        StartTime=start.isoformat(), EndTime=end.isoformat())
        for result in data.get("MetricDataResults") or []:
            values[result["Id"]] = result.get("Values") or []
    rows = []
    for i, inst in enumerate(instances):
        points = values.get(f"cpu{i}") or []
        if not points:
            continue
        average = sum(points) / len(points)
        if average <= threshold:
            continue
        rows.append({"instance_id": inst["InstanceId"], "name": _name(inst),
                     "type": inst.get("InstanceType", ""),
                     "az": (inst.get("Placement") or {}).get("AvailabilityZone", ""),
                     "cpu_average": round(average, 1), "cpu_max": round(max(points), 1),
                     "datapoints": len(points)})
    rows.sort(key=lambda r: -r["cpu_average"])
    return {"threshold": threshold, "window_minutes": window_minutes,
            "instances_checked": len(instances), "count": len(rows), "instances": rows}

# --- test ---

def test_hot_instances_above_threshold():
    result = main(threshold=80, window_minutes=60)
    assert result["count"] == len(result["instances"]) >= 1
    averages = [r["cpu_average"] for r in result["instances"]]
    assert averages == sorted(averages, reverse=True) and min(averages) > 80
    assert all(r["instance_id"].startswith("i-") for r in result["instances"])


def test_high_threshold_finds_fewer():
    assert main(threshold=99.5)["count"] < main(threshold=50)["count"] <= \
        main(threshold=50)["instances_checked"]
