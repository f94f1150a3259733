"""Fixtures of the Azure plugin tests: an offline catalog of the default Azure sources, and
Prism serving them (exported with ``mcp-sre specs export``) with chosen examples."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest
from prism_mock import add_example, exported_openapi, prism_or_skip, start_prism

from mcp_sre.config import Settings, load_settings
from mcp_sre.specs.catalog import SpecCatalog

SUB = "00000000-0000-0000-0000-00000000c0de"
RG = "shop-rg"
HOT = {"web-1": 93.0, "web-2": 86.5}
COOL = {"batch-1": 12.0}
VMS = "/subscriptions/{subscriptionId}/providers/Microsoft.Compute/virtualMachines"
VM_PATH = ("/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/"
           "Microsoft.Compute/virtualMachines/{vmName}")
METRICS = "/{resourceUri}/providers/Microsoft.Insights/metrics"


def vm(name: str) -> dict:
    return {"id": f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Compute/"
                  f"virtualMachines/{name}", "name": name, "location": "westeurope",
            "type": "Microsoft.Compute/virtualMachines", "tags": {"app": "shop"},
            "properties": {"hardwareProfile": {"vmSize": "Standard_D2s_v3"},
                           "provisioningState": "Succeeded",
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
    add_example(doc, VMS, "get", {"value": [vm(n) for n in [*HOT, *COOL]]})
    # Prism matches one path segment per parameter: the metrics of each VM are served at the
    # VM's own path (what {resourceUri} expands to), one mock path per VM
    template = doc["paths"].pop(METRICS)
    for name, value in {**HOT, **COOL}.items():
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


@pytest.fixture(scope="module")
def azure_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    home = tmp_path_factory.mktemp("azure-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MCP_SRE_HOME", str(home))
        mp.setenv("MCP_SRE_OFFLINE", "1")
        yield load_settings(home=home, offline=True)


@pytest.fixture(scope="module")
def azure_catalog(azure_settings: Settings) -> SpecCatalog:
    return SpecCatalog(settings=azure_settings)


@pytest.fixture(scope="module")
def azure_prism(azure_settings: Settings,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Prism serving the Azure operations the tests call, once per module."""
    prism_or_skip()
    env = {"MCP_SRE_HOME": str(azure_settings.home), "MCP_SRE_OFFLINE": "1"}
    with start_prism(azure_mock_document(env), Path(tmp_path_factory.mktemp("prism"))) as url:
        yield url


@pytest.fixture
def azure_token(monkeypatch: pytest.MonkeyPatch) -> str:
    """The host's Azure credentials for the mock: an explicit access token."""
    monkeypatch.setenv("AZURE_ACCESS_TOKEN", "mock-token")
    return "mock-token"
