import time

import volcenginesdkcloudmonitor as cm
import volcenginesdkecs

BATCH = 50


def main(threshold: float = 80.0, window_minutes: int = 60, status: str = "RUNNING",
         max_instances: int = 200) -> dict:
    """Volcano Engine ECS instances whose average CPU (CloudMonitor VCM_ECS CpuTotal) over
    the last window_minutes is above threshold percent, hottest first."""
    ecs = volcenginesdkecs.ECSApi()
    instances, token = [], None
    for _ in range(50):
        resp = ecs.describe_instances(volcenginesdkecs.DescribeInstancesRequest(
            status=status, max_results=100, next_token=token))
        instances += resp.instances or []
        token = resp.next_token
        if not token or len(instances) >= max_instances:
            break
    by_id = {i.instance_id: i for i in instances[:max_instances]}
    end = int(time.time())
    monitor = cm.CLOUDMONITORApi()
    rows = []
    ids = sorted(by_id)
    for first in range(0, len(ids), BATCH):
        request = cm.GetMetricDataRequest(
            namespace="VCM_ECS", sub_namespace="Instance", metric_name="CpuTotal",
            period="5m", start_time=end - window_minutes * 60, end_time=end,
            instances=[cm.InstanceForGetMetricDataInput(dimensions=[
                cm.DimensionForGetMetricDataInput(name="ResourceID", value=i)])
                for i in ids[first:first + BATCH]])
        for result in monitor.get_metric_data(request).data.metric_data_results or []:
            dims = {d.name: d.value for d in result.dimensions or []}
            points = [p.value for p in result.data_points or [] if p.value is not None]
            inst = by_id.get(dims.get("ResourceID"))
            if inst is None or not points:
                continue
            average = sum(points) / len(points)
            if average > threshold:
                rows.append({"instance_id": inst.instance_id, "name": inst.instance_name or "",
                             "zone": inst.zone_id or "", "cpu_average": round(average, 1),
                             "cpu_max": round(max(points), 1), "datapoints": len(points)})
    rows.sort(key=lambda r: -r["cpu_average"])
    return {"threshold": threshold, "window_minutes": window_minutes,
            "instances_checked": len(by_id), "count": len(rows), "instances": rows}
