"""Guest-side ``azure.identity`` and ``azure.mgmt.*`` shims, shipped as files and mapped into
the sandbox; the host never imports the modules below this package.

``ComputeManagementClient(credential, subscription_id).virtual_machines.list_all()`` becomes
``sre.request("azure/compute/virtual_machines_list_all", {...})``: the host resolves the
operation (``VirtualMachines_ListAll``), checks the policy and runs it with the user's Azure
identity. Cloud errors come back as ``azure.core.exceptions.HttpResponseError``.
"""

from __future__ import annotations

from pathlib import Path

from mcp_sre import hookimpl

__all__ = ["load_shims", "sandbox_shims"]

_HERE = Path(__file__).parent


def load_shims() -> dict[str, str]:
    """``{"azure.identity": source, "azure.mgmt.compute": source, ...}``."""
    modules: dict[str, str] = {}
    for path in sorted(_HERE.glob("*/**/*.py")):
        parts = list(path.relative_to(_HERE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path.read_text(encoding="utf-8")
    return modules


@hookimpl
def sandbox_shims() -> dict[str, str]:
    return load_shims()
