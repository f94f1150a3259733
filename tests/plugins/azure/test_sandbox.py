"""Code written the way Azure users write it (azure-identity + azure-mgmt clients) runs in the
real sandbox against Prism; writes and secret reads are refused before anything is sent."""

from __future__ import annotations

import pytest
from cloud_mocks import AZ_HOT as HOT
from cloud_mocks import SUB

from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.sandbox import Sandbox
from mcp_sre.sandbox.runner import CatalogOperations

HIGH_CPU = '''
from azure.core.exceptions import HttpResponseError
from azure.identity import DefaultAzureCredential
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.monitor import MonitorManagementClient

def main(subscription_id, threshold=80.0):
    credential = DefaultAzureCredential()
    compute = ComputeManagementClient(credential, subscription_id)
    monitor = MonitorManagementClient(credential, subscription_id)
    hot = {}
    for vm in compute.virtual_machines.list_all():
        assert vm.hardware_profile.vm_size == "Standard_D2s_v3"
        metrics = monitor.metrics.list(vm.id, timespan="PT1H", interval="PT5M",
                                       metricnames="Percentage CPU", aggregation="Average")
        points = [d.average for m in metrics.value for ts in m.timeseries for d in ts.data
                  if d.average is not None]
        if points and sum(points) / len(points) > threshold:
            hot[vm.name] = round(sum(points) / len(points), 1)
    try:
        compute.virtual_machines.instance_view("no-such-rg", "vm")
    except HttpResponseError as exc:
        hot["_error"] = exc.status_code
    return hot
'''


@pytest.fixture(scope="module")
def azure_box(azure_settings, azure_catalog, azure_prism, module_dir):
    return Sandbox(azure_settings, make_plugin_manager(), CatalogOperations(azure_catalog),
                   context={"azure": {"endpoint_url": azure_prism}}, module_dir=module_dir)


def test_azure_mgmt_code_runs_against_the_mock(azure_box, azure_token) -> None:
    result = azure_box.run(HIGH_CPU + f"\nimport sre\nsre.result(main({SUB!r}))\n",
                           providers=["azure"], timeout_s=60)
    assert result.ok, (result.error, result.stderr)
    hot = dict(result.result)
    assert hot.pop("_error") == 404  # not served by the mock: a typed HTTP error
    assert hot == HOT
    ops = [c.operation for c in result.calls]
    assert ops[0] == "azure/compute/VirtualMachines_ListAll"
    assert ops.count("azure/monitor/Metrics_List") == 3


@pytest.mark.parametrize(("code", "rule"), [
    ("ComputeManagementClient(DefaultAzureCredential(), SUB).virtual_machines"
     ".begin_power_off('shop-rg', 'web-1').result()", "write"),
    ("StorageManagementClient(DefaultAzureCredential(), SUB).storage_accounts"
     ".list_keys('shop-rg', 'shopdata')", "sensitive"),
    ("ContainerServiceClient(DefaultAzureCredential(), SUB).managed_clusters"
     ".list_cluster_admin_credentials('shop-rg', 'aks-prod')", "sensitive"),
])
def test_writes_and_sensitive_reads_are_refused(azure_box, azure_token, code, rule) -> None:
    program = ("from azure.identity import DefaultAzureCredential\n"
               "from azure.mgmt.compute import ComputeManagementClient\n"
               "from azure.mgmt.storage import StorageManagementClient\n"
               "from azure.mgmt.containerservice import ContainerServiceClient\n"
               f"SUB = {SUB!r}\n{code}\n")
    result = azure_box.run(program, providers=["azure"], timeout_s=60)
    assert not result.ok and result.error.type == "policy_denied", result
    (call,) = result.calls
    assert call.decision == "denied"
    assert ("write operation" if rule == "write" else "secret material") in call.reason
