"""Run allowed Azure Resource Manager operations over HTTPS with the host's Azure identity.

Only the host runs this, after the sandbox policy allowed the call. The credential chain is
azure-identity's ``DefaultAzureCredential`` (environment: ``AZURE_CLIENT_ID`` +
``AZURE_TENANT_ID`` + ``AZURE_CLIENT_SECRET`` or a certificate; workload or managed identity;
the Azure CLI's ``az login``...), imported only when first needed: azure-identity is an optional
dependency (``pip install 'mcp-sre[azure]'``). An explicit bearer token in
``AZURE_ACCESS_TOKEN`` (e.g. from ``az account get-access-token``) is used first. The token is
for ``https://management.azure.com/.default``; the endpoint can be pointed at a local mock
server (context ``endpoint_url`` or ``MCP_SRE_AZURE_ENDPOINT``). ``api-version`` comes from the
spec; ``nextLink`` pages are followed here (same host only) and merged into one ``value`` list;
throttled answers are retried with ARM's ``Retry-After``; secret-looking fields are masked.
"""

from __future__ import annotations

import os
import threading
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from mcp_sre import hookimpl
from mcp_sre.sandbox.models import ProviderCallError
from mcp_sre.sandbox.rest import RestRequest, build_request, mask_secrets, override_endpoint, send
from mcp_sre.specs.model import APISpec
from mcp_sre_azure.arm import API_VERSION

__all__ = ["ARM_ENDPOINT", "ENDPOINT_ENV", "MAX_PAGES", "TOKEN_ENV", "access_token",
           "describe_error", "execute_operation"]

PROVIDER = "azure"
ARM_ENDPOINT = "https://management.azure.com"
SCOPE = "https://management.azure.com/.default"
TOKEN_ENV = "AZURE_ACCESS_TOKEN"
ENDPOINT_ENV = "MCP_SRE_AZURE_ENDPOINT"
MAX_PAGES = 50
# Path parameters that hold a whole resource id (x-ms-skip-url-encoding upstream).
RESOURCE_ID_PARAMS = ("resourceUri", "scope", "resourceId")
NO_CREDENTIALS_HINT = (
    "set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET (a service principal), run "
    "`az login`, use a managed identity, or set AZURE_ACCESS_TOKEN")

_lock = threading.Lock()
_credential: dict[str, Any] = {}


def access_token() -> str:
    """A bearer token for Resource Manager from the host's Azure credential chain."""
    explicit = os.environ.get(TOKEN_ENV, "").strip()
    if explicit:
        return explicit
    try:
        from azure.core.exceptions import ClientAuthenticationError
        from azure.identity import CredentialUnavailableError, DefaultAzureCredential
    except ImportError as exc:
        raise ProviderCallError(
            "no Azure credentials: azure-identity is not installed on the host and "
            f"{TOKEN_ENV} is not set", code="NoCredentials",
            hint="pip install 'mcp-sre[azure]' (azure-identity), then " + NO_CREDENTIALS_HINT,
        ) from exc
    with _lock:
        try:
            if "default" not in _credential:
                _credential["default"] = DefaultAzureCredential()
            return str(_credential["default"].get_token(SCOPE).token)
        except CredentialUnavailableError as exc:
            raise ProviderCallError(f"no Azure credentials found: {exc}", code="NoCredentials",
                                    hint=NO_CREDENTIALS_HINT) from exc
        except ClientAuthenticationError as exc:
            _credential.pop("default", None)
            raise ProviderCallError(f"Azure authentication failed (expired or revoked "
                                    f"credentials?): {exc}", code="ExpiredCredentials",
                                    status=401, hint=NO_CREDENTIALS_HINT) from exc


def describe_error(payload: Any) -> tuple[str, str]:
    """ARM's ``{"error": {"code": "ResourceGroupNotFound", "message": ...}}``."""
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return "", ""
    return str(error.get("code") or ""), str(error.get("message") or "")


def _hint(code: str, status: int | None) -> str | None:
    if code in ("SubscriptionNotFound", "InvalidSubscriptionId"):
        return "check the subscription id (AZURE_SUBSCRIPTION_ID) passed to the client"
    if code in ("ResourceGroupNotFound", "ResourceNotFound") or status == 404:
        return "check the resource group and resource names, and the subscription"
    if status in (401, 403):
        return "the host's Azure identity lacks a role on this scope (Reader is enough)"
    return None


def _prepared(spec: APISpec, params: dict[str, Any]) -> RestRequest:
    endpoint = spec.endpoint
    params = dict(params)
    for name in RESOURCE_ID_PARAMS:
        if "{" + name + "}" in endpoint and isinstance(params.get(name), str):
            endpoint = endpoint.replace("{" + name + "}", "{+" + name + "}")
            params[name] = params[name].strip("/")
    api = spec.parameter(API_VERSION)
    if api is not None and not params.get(API_VERSION) and api.json_schema.get("default"):
        params[API_VERSION] = api.json_schema["default"]
    return build_request(spec.model_copy(update={"endpoint": ARM_ENDPOINT + endpoint}), params,
                         body_names=("parameters", "body"))


def _next_request(link: str, first: RestRequest) -> RestRequest:
    """The request for a ``nextLink``: on the same host and scheme as the first, or refused
    (a link elsewhere would carry the token to another server)."""
    here, there = urlsplit(first.url), urlsplit(link)
    if (there.scheme, there.netloc) != (here.scheme, here.netloc):
        raise ProviderCallError(f"nextLink points to another host ({there.netloc}); not followed",
                                code="UnsafeNextLink")
    base = f"{there.scheme}://{there.netloc}{there.path}"
    return RestRequest(method="GET", url=base, query=parse_qsl(there.query, keep_blank_values=True))


@hookimpl
def execute_operation(spec: APISpec, params: dict[str, Any], context: dict[str, Any]) -> Any:
    if spec.provider != PROVIDER:
        return None
    request = _prepared(spec, params)
    request.url = override_endpoint(request.url, context.get("endpoint_url")
                                    or os.environ.get(ENDPOINT_ENV))
    timeout = float(context.get("timeout_s") or 30.0)
    try:
        data = send(spec, request, token=access_token, timeout_s=timeout,
                    describe_error=describe_error)
        pages = 1
        while spec.pagination and isinstance(data, dict) and isinstance(data.get("value"), list) \
                and data.get("nextLink") and pages < MAX_PAGES:
            more = send(spec, _next_request(str(data["nextLink"]), request), token=access_token,
                        timeout_s=timeout, describe_error=describe_error)
            data["value"].extend((more.get("value") or []) if isinstance(more, dict) else [])
            data["nextLink"] = more.get("nextLink") if isinstance(more, dict) else None
            pages += 1
    except ProviderCallError as exc:
        hint = exc.hint or _hint(exc.code, exc.status)
        if hint != exc.hint:
            raise ProviderCallError(exc.message, code=exc.code, status=exc.status,
                                    kind=exc.kind, hint=hint) from exc
        raise
    return mask_secrets(data)
