"""Which Volcano Engine operation a volcenginesdk-shaped call in tool code names (the
``sdk_call_operation`` hook): ``volcenginesdkecs.ECSApi().describe_instances(...)`` ->
``volcengine/ecs/DescribeInstances``, exactly as the installed package maps its methods."""

from __future__ import annotations

import functools

from mcp_sre import hookimpl
from mcp_sre.toolcode.calls import SdkCall

__all__ = ["api_methods", "sdk_call_operation"]

PROVIDER = "volcengine"


@functools.lru_cache(maxsize=1)
def api_methods() -> dict[str, tuple[str, dict[str, str]]]:
    """API class name -> (service, {snake method: action}) over the installed packages."""
    from mcp_sre_volcenginesdk.convert import parse_api_file
    from mcp_sre_volcenginesdk.installed import installed_services, package_dir

    out: dict[str, tuple[str, dict[str, str]]] = {}
    for service in installed_services():
        folder = package_dir(service)
        if folder is None:
            continue
        for api_file in sorted((folder / "api").glob("*_api.py")):
            head = api_file.read_text(encoding="utf-8", errors="replace")
            name = next((line[6:line.index("(")] for line in head.splitlines()
                         if line.startswith("class ") and "(" in line), "")
            methods = {e["method_name"]: e["path"].strip("/").split("/")[0]
                       for e in parse_api_file(api_file)}
            if name:
                out[name] = (service, methods)
    return out


@hookimpl
def sdk_call_operation(call: SdkCall) -> str | None:
    cls = call.factory.rpartition(".")[2]
    if not cls.endswith("Api"):
        return None
    found = api_methods().get(cls)
    if found is None:
        return None
    service, methods = found
    method = call.method.removesuffix("_with_http_info")
    action = methods.get(method)
    return f"{PROVIDER}/{service}/{action}" if action else None
