"""Run a Prometheus HTTP API read with httpx.

The server comes from the host-side run context (``{"url": ...}``) or ``MCP_SRE_PROMETHEUS_URL``
(``PROMETHEUS_URL`` also works); an optional bearer token from ``MCP_SRE_PROMETHEUS_TOKEN``. Only
GET is ever sent. Prometheus's own error envelope (``{"status": "error", "errorType",
"error"}``) becomes a :class:`ProviderCallError` with its message, so a bad PromQL expression
reads as one.
"""

from __future__ import annotations

import os
from typing import Any

import httpx

from mcp_sre import hookimpl
from mcp_sre.sandbox.models import ProviderCallError
from mcp_sre.specs.model import APISpec

__all__ = ["PROVIDER", "base_url", "execute_operation"]

PROVIDER = "prometheus"


def base_url(context: dict[str, Any]) -> str:
    url = (
        context.get("url")
        or os.environ.get("MCP_SRE_PROMETHEUS_URL")
        or os.environ.get("PROMETHEUS_URL")
    )
    if not url:
        raise ProviderCallError(
            "no Prometheus server configured", hint="set MCP_SRE_PROMETHEUS_URL=http://host:9090"
        )
    return str(url).rstrip("/")


@hookimpl
def execute_operation(spec: APISpec, params: dict[str, Any], context: dict[str, Any]) -> Any:
    if spec.provider != PROVIDER:
        return None
    if spec.method.upper() != "GET":
        raise ProviderCallError(f"{spec.id} is not a read", kind="validation_error")
    path = spec.endpoint
    query: dict[str, Any] = {}
    for param in spec.parameters:
        if param.name not in params or params[param.name] is None:
            continue
        value = params[param.name]
        if param.location == "path":
            text = str(value)
            if "/" in text or text in (".", ".."):
                raise ProviderCallError(
                    f"{spec.id}: {param.name}={text!r} is not a name", kind="validation_error"
                )
            path = path.replace("{" + param.name + "}", text)
        else:
            query[param.name] = value
    headers = {"Accept": "application/json"}
    token = os.environ.get("MCP_SRE_PROMETHEUS_TOKEN")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    timeout = float(context.get("timeout_s") or 30.0)
    try:
        response = httpx.get(
            base_url(context) + path, params=query, headers=headers, timeout=min(timeout, 60.0)
        )
    except httpx.HTTPError as exc:
        raise ProviderCallError(
            f"Prometheus is unreachable: {type(exc).__name__}: {exc}", code="Unreachable"
        ) from None
    try:
        body = response.json()
    except ValueError:
        raise ProviderCallError(
            f"Prometheus answered HTTP {response.status_code} without JSON",
            status=response.status_code,
        ) from None
    if response.status_code >= 400 or body.get("status") != "success":
        raise ProviderCallError(
            f"Prometheus: {body.get('errorType', 'error')}: {body.get('error', 'failed')}",
            code=str(body.get("errorType") or "error"),
            status=response.status_code,
            kind="validation_error" if response.status_code == 400 else "provider_error",
        )
    return body
