"""Mock clouds for the tests: the GCP and Azure operations the tests call, exported from the
real specs with ``mcp-sre specs export`` and given chosen examples for Prism's static mode (a
fleet where two VMs run above 80 % CPU and one below)."""

from __future__ import annotations

import copy

from prism_mock import add_example, exported_openapi

__all__ = [
    "AZ_HOT",
    "GCP_HOT",
    "GCP_STOPPED",
    "PROJECT",
    "RG",
    "SUB",
    "ZONE",
    "azure_mock_document",
    "gcp_mock_document",
]

# ------------------------------------------------------------------------------------- GCP
PROJECT = "shop-prod"
ZONE = "us-central1-a"
GCP_HOT = {"web-1": 93.0, "web-2": 86.5}
GCP_COOL = {"batch-1": 12.0}
GCP_STOPPED = ["old-1"]
MOCKED = ["gcp/compute/compute.instances.list", "gcp/compute/compute.instances.aggregatedList",
          "gcp/compute/compute.instances.get", "gcp/compute/compute.zones.list",
          "gcp/monitoring/monitoring.projects.timeSeries.list",
          "gcp/logging/logging.entries.list"]


def instance(name: str, status: str = "RUNNING") -> dict:
    return {"id": str(abs(hash(name)) % 10**12), "name": name, "status": status,
            "zone": f"https://www.googleapis.com/compute/v1/projects/{PROJECT}/zones/{ZONE}",
            "machineType": "e2-medium",
            "metadata": {"items": [{"key": "startup-script", "value": "export DB_PASSWORD=x"},
                                   {"key": "env", "value": "prod"}]}}


def cpu_series(name: str, value: float) -> dict:
    return {"metric": {"type": "compute.googleapis.com/instance/cpu/utilization",
                       "labels": {"instance_name": name}},
            "resource": {"type": "gce_instance",
                         "labels": {"project_id": PROJECT, "zone": ZONE,
                                    "instance_id": str(abs(hash(name)) % 10**12)}},
            "metricKind": "GAUGE", "valueType": "DOUBLE",
            "points": [{"interval": {"endTime": "2026-12-03T10:00:00Z"},
                        "value": {"doubleValue": value / 100}}]}


def gcp_mock_document(env: dict[str, str]) -> dict:
    doc = exported_openapi(["gcp-compute", "gcp-monitoring", "gcp-logging"], only=MOCKED,
                           env=env)
    names = [*GCP_HOT, *GCP_COOL]
    fleet = [instance(n) for n in names] + [instance(n, "TERMINATED") for n in GCP_STOPPED]
    add_example(doc, "/compute/v1/projects/{project}/zones/{zone}/instances", "get",
                {"kind": "compute#instanceList", "items": fleet})
    add_example(doc, "/compute/v1/projects/{project}/aggregated/instances", "get",
                {"items": {f"zones/{ZONE}": {"instances": fleet},
                           "zones/europe-west1-b": {"warning": {"code": "NO_RESULTS_ON_PAGE"}}}})
    add_example(doc, "/v3/projects/{projectsId}/timeSeries", "get",
                {"timeSeries": [cpu_series(n, v) for n, v in {**GCP_HOT, **GCP_COOL}.items()]})
    add_example(doc, "/v2/entries:list", "post", {"entries": [
        {"logName": f"projects/{PROJECT}/logs/app", "severity": "ERROR",
         "timestamp": "2026-12-03T09:59:00Z", "textPayload": "upstream timed out",
         "resource": {"type": "gce_instance", "labels": {"instance_id": "1"}}}]})
    return doc


# ----------------------------------------------------------------------------------- Azure
SUB = "00000000-0000-0000-0000-00000000c0de"
RG = "shop-rg"
AZ_HOT = {"web-1": 93.0, "web-2": 86.5}
AZ_COOL = {"batch-1": 12.0}
VMS = "/subscriptions/{subscriptionId}/providers/Microsoft.Compute/virtualMachines"
VM_PATH = ("/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/"
           "Microsoft.Compute/virtualMachines/{vmName}")
METRICS = "/{resourceUri}/providers/Microsoft.Insights/metrics"


def azure_vm(name: str) -> dict:
    return {"id": f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Compute/"
                  f"virtualMachines/{name}", "name": name, "location": "westeurope",
            "type": "Microsoft.Compute/virtualMachines", "tags": {"app": "shop"},
            "properties": {"hardwareProfile": {"vmSize": "Standard_D2s_v3"},
                           "provisioningState": "Succeeded",
                           "instanceView": {"statuses": [
                               {"code": "ProvisioningState/succeeded", "level": "Info"},
                               {"code": "PowerState/running", "level": "Info",
                                "displayStatus": "VM running"}]},
                           "osProfile": {"computerName": name, "adminUsername": "azureuser",
                                         "adminPassword": "hunter2"}}}


def cpu_metric(value: float) -> dict:
    return {"cost": 0, "timespan": "2026-12-03T09:00:00Z/2026-12-03T10:00:00Z",
            "interval": "PT5M", "value": [{
                "id": "cpu", "type": "Microsoft.Insights/metrics", "unit": "Percent",
                "name": {"value": "Percentage CPU", "localizedValue": "Percentage CPU"},
                "timeseries": [{"data": [{"timeStamp": "2026-12-03T09:55:00Z",
                                          "average": value}]}]}]}


def azure_mock_document(env: dict[str, str]) -> dict:
    ops = ["azure/compute/VirtualMachines_ListAll", "azure/compute/VirtualMachines_Get",
           "azure/monitor/Metrics_List", "azure/monitor/ActivityLogs_List"]
    doc = exported_openapi(["azure-compute", "azure-monitor", "azure-activitylog"],
                           only=ops, env=env)
    add_example(doc, VMS, "get", {"value": [azure_vm(n) for n in [*AZ_HOT, *AZ_COOL]]})
    # Prism matches one path segment per parameter: the metrics of each VM are served at the
    # VM's own path (what {resourceUri} expands to), one mock path per VM
    template = doc["paths"].pop(METRICS)
    for name, value in {**AZ_HOT, **AZ_COOL}.items():
        path = VM_PATH.replace("{vmName}", name) + "/providers/Microsoft.Insights/metrics"
        item = copy.deepcopy(template)
        item["get"]["parameters"] = [p for p in item["get"]["parameters"]
                                     if p["name"] != "resourceUri"] + [
            {"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
            for n in ("subscriptionId", "resourceGroupName")]
        item["get"]["operationId"] = f"Metrics_List_{name}"
        doc["paths"][path] = item
        add_example(doc, path, "get", cpu_metric(value))
    add_example(doc, "/subscriptions/{subscriptionId}/providers/Microsoft.Insights/eventtypes/"
                     "management/values", "get", {"value": [
                         {"caller": "ops@example.com", "level": "Error",
                          "operationName": {"value": "Microsoft.Compute/virtualMachines/start/action"},
                          "status": {"value": "Failed"}, "resourceGroupName": RG,
                          "eventTimestamp": "2026-12-03T09:40:00Z"}]})
    return doc
