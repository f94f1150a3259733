import sre


def main(subscription_id: str, threshold: float = 80.0, window: str = "PT1H",
         interval: str = "PT5M", max_vms: int = 200) -> dict:
    """Azure virtual machines whose average Percentage CPU (Azure Monitor metrics) over the
    window (ISO 8601 duration, default the last hour) is above threshold percent, hottest first."""
    data = sre.call("azure/compute/VirtualMachines_ListAll", subscriptionId=subscription_id)
    vms = (data.get("value") or [])[:max_vms]
    rows = []
    for vm in vms:
        metrics = sre.call("azure/monitor/Metrics_List", resourceUri=vm["id"], timespan=window,
                           interval=interval, metricnames="Percentage CPU",
                           aggregation="Average,Maximum")
        points = [d for m in metrics.get("value") or [] for ts in m.get("timeseries") or []
                  for d in ts.get("data") or [] if d.get("average") is not None]
        if not points:
            continue
        average = sum(d["average"] for d in points) / len(points)
        if average > threshold:
            peak = max(d.get("maximum", d["average"]) for d in points)
            rows.append({"name": vm.get("name", ""), "location": vm.get("location", ""),
                         "cpu_average": round(average, 1), "cpu_max": round(peak, 1),
                         "points": len(points)})
    rows.sort(key=lambda r: -r["cpu_average"])
    return {"subscription_id": subscription_id, "threshold": threshold, "window": window,
            "vms_checked": len(vms), "count": len(rows), "vms": rows}
