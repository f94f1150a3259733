"""Which GCP operation a googleapiclient-shaped call in tool code names (the
``sdk_call_operation`` hook): ``discovery.build("compute", "v1").instances().list(...)
.execute()`` -> ``gcp/compute/compute.instances.list``, the way the guest shim builds ids."""

from __future__ import annotations

import re

from mcp_sre import hookimpl
from mcp_sre.toolcode.calls import SdkCall

__all__ = ["sdk_call_operation"]

PROVIDER = "gcp"
_CHAIN = re.compile(r"^(?:[\w.]+\.)?build\(\)((?:\.\w+\(\))*)\.(\w+)\(\)$")


@hookimpl
def sdk_call_operation(call: SdkCall) -> str | None:
    if call.method != "execute" or not call.factory_args or not call.factory_args[0]:
        return None
    match = _CHAIN.match(call.factory)
    if match is None or not ("discovery" in call.factory or call.factory.startswith("build(")):
        return None
    api = call.factory_args[0]
    resources = [r[1:-2] for r in re.findall(r"\.\w+\(\)", match.group(1))]
    return f"{PROVIDER}/{api}/" + ".".join([api, *resources, match.group(2)])
