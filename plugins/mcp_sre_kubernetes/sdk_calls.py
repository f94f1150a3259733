"""Which Kubernetes operation a ``kubernetes.client``-shaped call in tool code names (the
``sdk_call_operation`` hook), the way the official client was generated from the swagger
operationIds, in reverse: ``CoreV1Api().delete_namespaced_pod`` ->
``kubernetes/core_v1/deleteCoreV1NamespacedPod``; ``AppsV1Api().list_deployment_for_all_namespaces``
-> ``kubernetes/apps_v1/listAppsV1DeploymentForAllNamespaces``. The sandbox shim resolves calls
the same way (``shims/guest/kubernetes/client/_api.py``)."""

from __future__ import annotations

import re

from mcp_sre import hookimpl
from mcp_sre.toolcode.calls import SdkCall

__all__ = ["api_operation", "sdk_call_operation"]

PROVIDER = "kubernetes"
_API_CLASS = re.compile(r"^(?P<tag>[A-Z][A-Za-z0-9]*?)Api$")
_VERSION = re.compile(r"V\d+(?:(?:alpha|beta)\d+)?$")
_SUFFIXES = ("_with_http_info", "_without_preload_content")
# Classes whose operationIds carry no tag, and those that are not swagger APIs.
_UNTAGGED = {"CustomObjects": "custom_objects"}
_NOT_APIS = frozenset({"", "Api"})


def _service(tag: str) -> str:
    """``CoreV1`` -> ``core_v1``, ``RbacAuthorizationV1`` -> ``rbacauthorization_v1``."""
    version = _VERSION.search(tag)
    group = tag[: version.start()] if version else tag
    return group.lower() + (f"_{version.group().lower()}" if version else "")


def api_operation(api_class: str, method: str) -> str | None:
    """The operation id behind ``<api_class>().<method>()``; None when it is not an API class."""
    match = _API_CLASS.match(api_class)
    if match is None or match["tag"] in _NOT_APIS or method.startswith("_"):
        return None
    for suffix in _SUFFIXES:
        method = method.removesuffix(suffix)
    tag = match["tag"]
    verb, _, rest = method.partition("_")
    body = "".join(w[:1].upper() + w[1:] for w in rest.split("_") if w)
    if tag in _UNTAGGED:
        return f"{PROVIDER}/{_UNTAGGED[tag]}/{verb}{body}"
    return f"{PROVIDER}/{_service(tag)}/{verb}{tag}{body}"


@hookimpl
def sdk_call_operation(call: SdkCall) -> str | None:
    """``client.CoreV1Api()``, ``kubernetes.client.AppsV1Api(api_client)`` and the like."""
    api_class = call.factory.rpartition(".")[2]
    return api_operation(api_class, call.method)
