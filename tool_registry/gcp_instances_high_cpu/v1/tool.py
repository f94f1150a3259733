from datetime import UTC, datetime, timedelta

import sre

METRIC = "compute.googleapis.com/instance/cpu/utilization"


def main(project: str, threshold: float = 80.0, window_minutes: int = 60,
         max_series: int = 1000) -> dict:
    """Running Compute Engine VMs whose average CPU utilization (Cloud Monitoring) over the
    last window_minutes is above threshold percent, hottest first."""
    running = set()
    for page in sre.pages("gcp/compute/compute.instances.aggregatedList",
                          {"project": project, "maxResults": 500}, max_items=5000):
        for scope in (page.get("items") or {}).values():
            running |= {i.get("name") for i in scope.get("instances") or []
                        if i.get("status") == "RUNNING"}
    end = datetime.now(UTC)
    start = end - timedelta(minutes=window_minutes)
    query = {"name": "projects/" + project, "filter": f'metric.type = "{METRIC}"',
             "view": "FULL", "interval.startTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
             "interval.endTime": end.strftime("%Y-%m-%dT%H:%M:%SZ")}
    rows, checked = [], 0
    for page in sre.pages("gcp/monitoring/monitoring.projects.timeSeries.list", query,
                          max_items=max_series):
        for series in page.get("timeSeries") or []:
            name = ((series.get("metric") or {}).get("labels") or {}).get("instance_name", "")
            values = [100 * float((p.get("value") or {}).get("doubleValue", 0))
                      for p in series.get("points") or []]
            if name not in running or not values:
                continue
            checked += 1
            average = sum(values) / len(values)
            if average > threshold:
                zone = ((series.get("resource") or {}).get("labels") or {}).get("zone", "")
                rows.append({"name": name, "zone": zone, "cpu_average": round(average, 1),
                             "cpu_max": round(max(values), 1), "points": len(values)})
    rows.sort(key=lambda r: -r["cpu_average"])
    return {"project": project, "threshold": threshold, "window_minutes": window_minutes,
            "instances_checked": checked, "count": len(rows), "instances": rows}
