"""Which Azure operation an ``azure.mgmt``-shaped call in tool code names (the
``sdk_call_operation`` hook): ``ComputeManagementClient(cred, sub).virtual_machines.list_all()``
-> ``azure/compute/VirtualMachines_ListAll``; ``begin_power_off`` -> ``VirtualMachines_PowerOff``.
The guest shim sends the snake_case form and the host matches it the same way."""

from __future__ import annotations

import re

from mcp_sre import hookimpl
from mcp_sre.toolcode.calls import SdkCall

__all__ = ["CLIENTS", "operation_id", "sdk_call_operation"]

PROVIDER = "azure"
CLIENTS = {
    "ComputeManagementClient": "compute",
    "NetworkManagementClient": "network",
    "MonitorManagementClient": "monitor",
    "ContainerServiceClient": "containerservice",
    "ResourceManagementClient": "resources",
    "SubscriptionClient": "resources",
    "StorageManagementClient": "storage",
}
# Words the operationIds spell in capitals.
_ACRONYMS = {"vms": "VMs", "vm": "VM", "ip": "IP", "sas": "SAS", "dns": "DNS", "id": "ID"}
_CHAIN = re.compile(r"^(?:[\w.]+\.)?(\w+)\(\)\.(\w+)$")


def _pascal(snake: str) -> str:
    return "".join(_ACRONYMS.get(w, w[:1].upper() + w[1:]) for w in snake.split("_") if w)


def operation_id(service: str, group: str, method: str) -> str:
    return f"{PROVIDER}/{service}/{_pascal(group)}_{_pascal(method.removeprefix('begin_'))}"


@hookimpl
def sdk_call_operation(call: SdkCall) -> str | None:
    match = _CHAIN.match(call.factory)
    if match is None or match.group(1) not in CLIENTS or call.method.startswith("_"):
        return None
    return operation_id(CLIENTS[match.group(1)], match.group(2), call.method)
