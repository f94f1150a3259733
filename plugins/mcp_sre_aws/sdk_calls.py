"""Which AWS operation a boto3-shaped call in tool code names (the ``sdk_call_operation``
hook): ``boto3.client("ec2").describe_instances()`` -> ``aws/ec2/DescribeInstances``, a
paginator's operation for ``get_paginator("describe_volumes")``."""

from __future__ import annotations

from mcp_sre import hookimpl
from mcp_sre.toolcode.calls import SdkCall

__all__ = ["sdk_call_operation"]

PROVIDER = "aws"
# Client methods that call no operation.
_NOT_OPERATIONS = frozenset({"get_paginator", "get_waiter", "can_paginate", "close"})


def _camel(snake: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in snake.split("_"))


def _is_client_factory(factory: str) -> bool:
    """``boto3.client``, ``boto3.Session().client``, ``session.client``."""
    root, _, last = factory.rpartition(".")
    return last == "client" and ("boto3" in root or "session" in root.lower())


@hookimpl
def sdk_call_operation(call: SdkCall) -> str | None:
    if not _is_client_factory(call.factory) or not call.factory_args:
        return None
    service = call.factory_args[0]
    method = call.method
    if method == "get_paginator":
        method = (call.method_args[0] if call.method_args else None) or ""
    if not service or not method or method in _NOT_OPERATIONS or method.startswith("_"):
        return None
    return f"{PROVIDER}/{service}/{_camel(method)}"
