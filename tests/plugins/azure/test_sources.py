"""Azure sources work offline from a fresh install (ARM snapshots, common-types from shipped
copies); read/write classes and sensitive reads; a broken snapshot breaks only its source."""

from __future__ import annotations

import pytest

from mcp_sre.config import load_settings
from mcp_sre.errors import SpecError
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.sandbox.policy import Policy
from mcp_sre.specs.catalog import SpecCatalog
from mcp_sre.toolcode.calls import SdkCall


def test_every_azure_source_has_operations_offline(azure_catalog: SpecCatalog) -> None:
    names = [s.name for s in azure_catalog.registry.defaults() if s.provider == "azure"]
    assert len(names) >= 10
    for name in names:
        ops = azure_catalog.operations(name)
        assert ops and all(op.id.startswith("azure/") for op in ops), name
        assert azure_catalog.status([name])[0].origin == "snapshot"


def test_common_types_are_resolved_and_api_version_is_filled(azure_catalog) -> None:
    op = azure_catalog.get("azure/compute/VirtualMachines_ListAll")
    sub = op.parameter("subscriptionId")
    assert sub is not None and sub.required and "UUID" in sub.description  # from types.json
    api = op.parameter("api-version")
    assert api is not None and not api.required and api.json_schema["default"] == "2024-11-01"
    assert op.pagination == {"style": "next_link", "next_link_field": "nextLink"}
    assert "x-external" not in str(op.return_schema)  # no stubs left


@pytest.mark.parametrize(("op_id", "access"), [
    ("azure/compute/VirtualMachines_ListAll", "read"),
    ("azure/compute/VirtualMachines_InstanceView", "read"),
    ("azure/monitor/Metrics_List", "read"),
    ("azure/monitor/ActivityLogs_List", "read"),
    ("azure/storage/StorageAccounts_ListKeys", "read"),
    ("azure/containerservice/ManagedClusters_ListClusterAdminCredentials", "read"),
    ("azure/compute/VirtualMachines_PowerOff", "write"),
    ("azure/compute/VirtualMachines_Delete", "write"),
    ("azure/compute/VirtualMachines_RunCommand", "write"),
    ("azure/compute/Disks_GrantAccess", "write"),
    ("azure/network/NetworkSecurityGroups_Delete", "write"),
])
def test_access_classes(azure_catalog: SpecCatalog, op_id: str, access: str) -> None:
    assert azure_catalog.get(op_id).access == access


@pytest.mark.parametrize("op_id", [
    "azure/storage/StorageAccounts_ListKeys",
    "azure/storage/StorageAccounts_ListAccountSAS",
    "azure/containerservice/ManagedClusters_ListClusterAdminCredentials",
    "azure/containerservice/ManagedClusters_ListClusterUserCredentials",
    "azure/network/VirtualNetworkGatewayConnections_GetSharedKey",
    "azure/compute/Disks_GrantAccess",
])
def test_sensitive_reads_are_refused_even_with_writes_allowed(azure_catalog, op_id) -> None:
    pm = make_plugin_manager()
    policy = Policy(sensitive=[p for ps in pm.hook.sensitive_operations() for p in ps])
    decision = policy.decide(azure_catalog.get(op_id), allow_writes=True)
    assert not decision.allowed and decision.rule == "sensitive"


def test_a_broken_snapshot_breaks_only_its_source(tmp_path, monkeypatch) -> None:
    snapshots = tmp_path / "snapshots"
    snapshots.mkdir()
    (snapshots / "azure_network_2024-05-01.json").write_text('{"swagger": "2.0", "paths": ')
    home = tmp_path / "home"
    monkeypatch.setenv("MCP_SRE_HOME", str(home))
    catalog = SpecCatalog(settings=load_settings(home=home, offline=True,
                                                 snapshot_dir=snapshots))
    with pytest.raises(SpecError, match=r"azure-network.*malformed JSON"):
        catalog.operations("azure-network")
    assert catalog.get("azure/compute/VirtualMachines_ListAll").access == "read"


@pytest.mark.parametrize(("factory", "method", "expected"), [
    ("ComputeManagementClient().virtual_machines", "list_all",
     "azure/compute/VirtualMachines_ListAll"),
    ("azure.mgmt.compute.ComputeManagementClient().virtual_machines", "begin_power_off",
     "azure/compute/VirtualMachines_PowerOff"),
    ("monitor.MonitorManagementClient().metrics", "list", "azure/monitor/Metrics_List"),
    ("StorageManagementClient().storage_accounts", "list_account_sas",
     "azure/storage/StorageAccounts_ListAccountSAS"),
    ("NetworkManagementClient().public_ip_addresses", "list_all",
     "azure/network/PublicIPAddresses_ListAll"),
    ("boto3.client", "list_all", None),
])
def test_sdk_calls_name_operations(azure_catalog, factory, method, expected) -> None:
    pm = make_plugin_manager(only={"azure"})
    named = pm.hook.sdk_call_operation(call=SdkCall(factory=factory, method=method))
    assert named == expected
    if expected:
        assert azure_catalog.get(expected).id == expected
