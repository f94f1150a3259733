"""Run allowed Volcano Engine operations with the user's own credentials, signed by the SDK.

Only the host runs this, after the sandbox policy allowed the call. The wire protocol is Volcano
Engine's RPC style: ``GET|POST https://<endpoint>/?Action=DescribeInstances&Version=2020-04-01``
with the request as query parameters (``InstanceIds.1=i-1``) or a JSON body, signed with
HMAC-SHA256 by ``volcenginesdkcore.signv4.SignerV4`` for the service code and region.

- Credentials: the SDK's default chain (``VOLCENGINE_ACCESS_KEY``/``VOLCENGINE_SECRET_KEY``
  [/``VOLCENGINE_SESSION_TOKEN``], OIDC role env, the CLI's ``~/.volcengine/config.json``
  (``VOLCENGINE_CLI_CONFIG_FILE``, ``VOLCENGINE_PROFILE``), then ECS instance metadata).
- Region: the run context's ``region``, else ``VOLCENGINE_REGION``, else ``cn-beijing``.
- Endpoint: the run context's ``endpoint_url``, else ``VOLCENGINE_ENDPOINT_URL`` (or
  ``VOLCENGINE_ENDPOINT``, a host), else the SDK's endpoint for the service and region.
- Throttling and 5xx answers are retried with exponential back-off and jitter.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time
from typing import Any
from urllib.parse import urlencode

import httpx

from mcp_sre import hookimpl
from mcp_sre.sandbox.bridge import jsonable
from mcp_sre.sandbox.models import ProviderCallError
from mcp_sre.specs.model import APISpec

__all__ = ["CREDENTIAL_HELP", "DEFAULT_REGION", "MASK", "RETRY_CODES", "endpoint_url",
           "execute_operation", "flatten", "mask_secrets", "region_of", "send"]

PROVIDER = "volcengine"
DEFAULT_REGION = "cn-beijing"
MASK = "***redacted by mcp-sre***"
ATTEMPTS = 4
BASE_DELAY_S = 0.3
MAX_DELAY_S = 5.0
RETRY_CODES = frozenset({"Throttling", "ThrottlingException", "RequestLimitExceeded",
                         "FlowLimitExceeded", "TooManyRequests", "ServiceUnavailable",
                         "InternalError", "InternalServiceError", "ServiceUnavailableTemp"})
CREDENTIAL_HELP = (
    "set VOLCENGINE_ACCESS_KEY and VOLCENGINE_SECRET_KEY (and VOLCENGINE_SESSION_TOKEN for "
    "temporary keys), or configure the volcengine CLI (~/.volcengine/config.json, "
    "VOLCENGINE_CLI_CONFIG_FILE, VOLCENGINE_PROFILE) on the host running mcp-sre")
_lock = threading.Lock()
_provider: Any = None
_http: httpx.Client | None = None


def region_of(context: dict[str, Any]) -> str:
    return str(context.get("region") or os.environ.get("VOLCENGINE_REGION") or DEFAULT_REGION)


def endpoint_url(service_code: str, region: str, context: dict[str, Any]) -> str:
    """Scheme + host the request goes to (an override, else the SDK's endpoint rule)."""
    override = context.get("endpoint_url") or os.environ.get("VOLCENGINE_ENDPOINT_URL") \
        or os.environ.get("VOLCENGINE_ENDPOINT")
    if override:
        url = str(override).rstrip("/")
        return url if "://" in url else f"https://{url}"
    from volcenginesdkcore.endpoint.providers.default_provider import DefaultEndpointProvider

    host = DefaultEndpointProvider().endpoint_for(service_code, region).host
    return f"https://{host}"


def _credentials() -> Any:
    global _provider
    try:
        from volcenginesdkcore.auth.providers.default_provider import DefaultCredentialProvider
    except ImportError as exc:
        raise ProviderCallError("the Volcano Engine SDK is not installed on the host",
                                hint="pip install volcenginesdk-core") from exc
    with _lock:
        if _provider is None:
            _provider = DefaultCredentialProvider()
        provider = _provider
    try:
        creds = provider.get_credentials()
    except Exception as exc:  # the chain raises plain Exceptions naming each provider
        raise ProviderCallError("no Volcano Engine credentials found on the host",
                                code="NoCredentials", hint=CREDENTIAL_HELP) from exc
    if not getattr(creds, "ak", None) or not getattr(creds, "sk", None):
        raise ProviderCallError("no Volcano Engine credentials found on the host",
                                code="NoCredentials", hint=CREDENTIAL_HELP)
    return creds


def reset_credentials() -> None:
    """Forget the cached credential chain (tests, or after the user changed keys)."""
    global _provider
    with _lock:
        _provider = None


def flatten(value: Any, prefix: str = "", out: list[tuple[str, str]] | None = None
            ) -> list[tuple[str, str]]:
    """Query form of a request: ``{"InstanceIds": ["a"], "Tag": {"Key": "k"}}`` ->
    ``InstanceIds.1=a&Tag.Key=k`` (lists 1-based, booleans lower case), as the SDK sends it."""
    out = [] if out is None else out
    if isinstance(value, dict):
        for key, item in value.items():
            flatten(item, f"{prefix}{key}" if not prefix else f"{prefix}.{key}", out)
    elif isinstance(value, list):
        for i, item in enumerate(value, 1):
            flatten(item, f"{prefix}.{i}", out)
    elif value is not None:
        out.append((prefix, str(value).lower() if isinstance(value, bool) else str(value)))
    return out


def _client() -> httpx.Client:
    """One pooled client for every call (the timeout is set per request)."""
    global _http
    with _lock:
        if _http is None:
            _http = httpx.Client(trust_env=True)
        return _http


def _error(payload: Any) -> tuple[str, str] | None:
    meta = payload.get("ResponseMetadata") if isinstance(payload, dict) else None
    error = meta.get("Error") if isinstance(meta, dict) else None
    if isinstance(error, dict) and (error.get("Code") or error.get("Message")):
        return str(error.get("Code") or ""), str(error.get("Message") or "")
    return None


def send(spec: APISpec, params: dict[str, Any], context: dict[str, Any]) -> Any:
    """One signed call (with retries); returns the ``Result`` of the answer."""
    creds = _credentials()  # first: it names the missing SDK or credentials clearly
    from volcenginesdkcore.signv4 import SignerV4

    parts = spec.endpoint.strip("/").split("/")
    if len(parts) < 5:
        raise ProviderCallError(f"{spec.id} has no Volcano Engine resource path",
                                hint="re-sync the volcengine sources")
    action, version, service_code, verb, content_type = parts[:5]
    region = region_of(context)
    base = endpoint_url(service_code, region, context)
    method = verb.upper()
    host = httpx.URL(base).netloc.decode()
    deadline = time.monotonic() + float(context.get("timeout_s") or 60.0)
    for attempt in range(1, ATTEMPTS + 1):
        query: list[tuple[str, str]] = [("Action", action), ("Version", version)]
        headers: dict[str, str] = {"Host": host, "Accept": "application/json"}
        body = ""
        if method == "GET":
            query = flatten(params) + query
        elif "json" in content_type:
            headers["Content-Type"] = "application/json"
            body = json.dumps(params)
        else:
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
            body = urlencode(flatten(params))
        SignerV4.sign("/", method, headers, body, None, query, creds.ak, creds.sk, region,
                      service_code, getattr(creds, "session_token", None))
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ProviderCallError(f"{spec.id}: out of time", code="Timeout")
        try:
            response = _client().request(
                method, f"{base}/", params=query, headers=headers,
                content=body.encode() if body else None,
                timeout=httpx.Timeout(min(remaining, 60.0), connect=min(remaining, 5.0)))
        except httpx.HTTPError as exc:
            if attempt < ATTEMPTS and isinstance(exc, httpx.TransportError):
                _sleep(attempt, deadline)
                continue
            raise ProviderCallError(f"cannot reach {base}: {type(exc).__name__}: {exc}",
                                    code="EndpointConnectionError",
                                    hint="check VOLCENGINE_REGION / VOLCENGINE_ENDPOINT_URL and "
                                         "the network") from exc
        try:
            payload = response.json()
        except ValueError:
            payload = None
        error = _error(payload)
        code = error[0] if error else ""
        retry = response.status_code in (429, 500, 502, 503, 504) or code in RETRY_CODES
        if retry and attempt < ATTEMPTS:
            _sleep(attempt, deadline)
            continue
        if error or response.status_code >= 400:
            message = error[1] if error else response.text[:500]
            hint = None
            if code.startswith(("InvalidAccessKey", "SignatureDoesNotMatch", "InvalidCredential",
                                "InvalidAuthorization", "InvalidSecurityToken", "ExpiredToken",
                                "SecurityTokenExpired")) or response.status_code == 401:
                hint = CREDENTIAL_HELP
            elif "Region" in code or "Endpoint" in code:
                hint = f"region {region!r}: set VOLCENGINE_REGION or pass region="
            raise ProviderCallError(message or f"HTTP {response.status_code}", code=code,
                                    status=response.status_code, hint=hint)
        if not isinstance(payload, dict):
            raise ProviderCallError(f"{spec.id}: the answer is not JSON",
                                    status=response.status_code)
        return payload.get("Result", {k: v for k, v in payload.items()
                                      if k != "ResponseMetadata"})
    raise ProviderCallError(f"{spec.id}: still throttled after {ATTEMPTS} attempts",
                            code="Throttling")


def _sleep(attempt: int, deadline: float) -> None:
    delay = min(MAX_DELAY_S, BASE_DELAY_S * 2 ** (attempt - 1)) * (0.5 + random.random() / 2)
    time.sleep(max(0.0, min(delay, deadline - time.monotonic() - 0.1)))


_SECRET_NAME = re.compile(r"(password|passwd|secret|secretkey|secretaccesskey|token|privatekey|"
                          r"credential|credentials|userdata|kubeconfig|accesskeysecret|"
                          r"connectionstring)$")
_NOT_SECRET = re.compile(r"(nexttoken|clienttoken|pagetoken)$")


def mask_secrets(data: Any) -> Any:
    """Mask string fields whose names say they carry a secret (in place; returns ``data``)."""
    if isinstance(data, dict):
        for key, value in data.items():
            name = re.sub(r"[_\-\s]", "", str(key)).lower()
            if isinstance(value, str) and value and _SECRET_NAME.search(name) \
                    and not _NOT_SECRET.search(name):
                data[key] = MASK
            else:
                mask_secrets(value)
    elif isinstance(data, list):
        for item in data:
            mask_secrets(item)
    return data


@hookimpl
def execute_operation(spec: APISpec, params: dict[str, Any], context: dict[str, Any]) -> Any:
    if spec.provider != PROVIDER:
        return None
    return mask_secrets(jsonable(send(spec, params, context)))
