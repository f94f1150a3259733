"""Shared plumbing of the REST executors (one HTTP call per bridged operation).

A cloud plugin whose operations are plain HTTPS + JSON calls (Google discovery APIs, Azure
Resource Manager) builds a :class:`RestRequest` from the spec and the parameters with
:func:`build_request` and sends it with :func:`send`, passing its own bearer-token function.
What is shared: URL templates (``{name}`` and ``{+name}`` reserved expansion) filled without
letting a value steer the request to another path, query encoding, the endpoint override used
for local mock servers, retries with back-off on throttling (429 and 503, ``Retry-After``
honoured), and errors turned into :class:`~mcp_sre.sandbox.models.ProviderCallError`. It names
no cloud.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

from mcp_sre.sandbox.models import ProviderCallError
from mcp_sre.specs.model import APISpec

__all__ = ["MASK", "RETRY_STATUSES", "RestRequest", "build_request", "mask_secrets",
           "override_endpoint", "send"]

RETRY_STATUSES = frozenset({429, 503})
MAX_ATTEMPTS = 4
MAX_BACKOFF_S = 8.0
_PLACEHOLDER = re.compile(r"\{(\+?)([^}]+)\}")
MASK = "***redacted by mcp-sre***"
# A string field whose name ends in one of these words (case, "_" and "-" ignored) is masked in
# answers; pagination tokens and links are not secrets.
_SECRET_NAME = re.compile(
    r"(password|passwd|passphrase|secret|clientsecret|token|accesstoken|privatekey|clientkey|"
    r"presharedkey|sharedkey|credential|credentials|connectionstring|apikey|keystring|"
    r"primarykey|secondarykey|sastoken|keymaterial)$")
_NOT_SECRET = re.compile(r"(nextpagetoken|pagetoken|continuationtoken|skiptoken|nexttoken|"
                         r"resumetoken|synctoken)$")


@dataclass
class RestRequest:
    """One HTTP call: what :func:`send` needs."""

    method: str
    url: str
    query: list[tuple[str, str]] = field(default_factory=list)
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def _secret_name(key: Any) -> bool:
    name = re.sub(r"[_\-\s]", "", str(key)).lower()
    return bool(_SECRET_NAME.search(name)) and not _NOT_SECRET.search(name)


def mask_secrets(data: Any) -> Any:
    """Mask secret-named string fields of an answer, at any depth (in place; returns it)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str) and value and _secret_name(key):
                data[key] = MASK
            else:
                mask_secrets(value)
    elif isinstance(data, list):
        for item in data:
            mask_secrets(item)
    return data


def _invalid(spec: APISpec, message: str) -> ProviderCallError:
    return ProviderCallError(f"{spec.id}: {message}", code="InvalidParameter",
                             kind="validation_error")


def _path_value(spec: APISpec, name: str, value: Any, reserved: bool) -> str:
    """A path segment (or, for ``{+name}``, a run of segments) that stays where it is put."""
    text = str(value)
    if not text:
        raise _invalid(spec, f"path parameter {name} is empty")
    segments = text.split("/")
    if any(s in (".", "..") for s in segments) or any(c in text for c in "?#\\") or \
            "%2e" in text.lower() or (not reserved and "/" in text):
        raise _invalid(spec, f"path parameter {name}={text!r} is not a valid name")
    if reserved:
        if text.startswith("/") or "" in segments:
            raise _invalid(spec, f"path parameter {name}={text!r} is not a valid name")
        return "/".join(quote(s, safe="@:,;=-_.~!$&'()*+") for s in segments)
    return quote(text, safe="@:,;=-_.~")


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def build_request(spec: APISpec, params: dict[str, Any], *,
                  body_names: tuple[str, ...] = ("body",)) -> RestRequest:
    """Fill the spec's endpoint template; the other parameters go to the query string
    (repeated for lists) or, for a ``body`` parameter, to the JSON body."""
    locations = {p.name: p.location for p in spec.parameters}
    values = {k: v for k, v in params.items() if v is not None}
    url = spec.endpoint

    def fill(match: re.Match[str]) -> str:
        reserved, name = match.group(1) == "+", match.group(2)
        if name not in values:
            raise _invalid(spec, f"missing path parameter {name}")
        return _path_value(spec, name, values.pop(name), reserved)

    url = _PLACEHOLDER.sub(fill, url)
    body = None
    query: list[tuple[str, str]] = []
    for name, value in values.items():
        where = locations.get(name, "query")
        if where == "body" or name in body_names:
            body = value
        elif where == "header":
            continue  # headers are the executor's business (auth), never the guest's
        elif isinstance(value, list):
            query.extend((name, _query_value(v)) for v in value)
        else:
            query.append((name, _query_value(value)))
    return RestRequest(method=spec.method or "GET", url=url, query=query, body=body)


def override_endpoint(url: str, endpoint: str | None) -> str:
    """``https://compute.googleapis.com/compute/v1/x`` with ``http://127.0.0.1:4010`` ->
    ``http://127.0.0.1:4010/compute/v1/x``: a local mock server answers in the cloud's place
    (a path prefix in ``endpoint`` is kept)."""
    if not endpoint:
        return url
    target = urlsplit(endpoint.rstrip("/"))
    parts = urlsplit(url)
    return urlunsplit((target.scheme, target.netloc, target.path + parts.path, parts.query,
                       parts.fragment))


def _retry_after(response: httpx.Response, attempt: int) -> float:
    header = response.headers.get("retry-after", "")
    try:
        wait = float(header)
    except ValueError:
        wait = 0.5 * (2 ** attempt)
    return max(0.0, min(wait, MAX_BACKOFF_S))


def _error_from(spec: APISpec, response: httpx.Response,
                describe: Callable[[Any], tuple[str, str]] | None) -> ProviderCallError:
    try:
        payload = response.json()
    except ValueError:
        payload = response.text[:500]
    code, message = describe(payload) if describe else ("", "")
    message = message or (payload if isinstance(payload, str) else json.dumps(payload)[:500])
    return ProviderCallError(f"{spec.id} failed with HTTP {response.status_code}: {message}",
                             code=code or str(response.status_code),
                             status=response.status_code)


def send(spec: APISpec, request: RestRequest, *, token: Callable[[], str],
         timeout_s: float = 30.0, describe_error: Callable[[Any], tuple[str, str]] | None = None,
         client: httpx.Client | None = None, sleep: Callable[[float], None] = time.sleep) -> Any:
    """Send ``request`` with a bearer token; retry throttled answers with back-off; return
    the decoded JSON (``{}`` for an empty body). ``describe_error`` maps a cloud's error body
    to ``(code, message)``."""
    headers = {"Accept": "application/json", **request.headers}
    headers["Authorization"] = f"Bearer {token()}"
    timeout = httpx.Timeout(max(0.5, min(timeout_s, 60.0)), connect=5.0)
    own = client is None
    http = client or httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False)
    try:
        for attempt in range(MAX_ATTEMPTS):
            try:
                response = http.request(request.method, request.url, params=request.query,
                                        json=request.body, headers=headers, timeout=timeout)
            except httpx.TimeoutException as exc:
                raise ProviderCallError(f"{spec.id}: no answer from {urlsplit(request.url).netloc}"
                                        f" in time", code="Timeout") from exc
            except httpx.HTTPError as exc:
                raise ProviderCallError(
                    f"{spec.id}: cannot reach {urlsplit(request.url).netloc}: {exc}",
                    code="ConnectionError", hint="check the network or the endpoint setting"
                ) from exc
            if response.status_code in RETRY_STATUSES and attempt + 1 < MAX_ATTEMPTS:
                sleep(_retry_after(response, attempt))
                continue
            if response.status_code >= 400:
                raise _error_from(spec, response, describe_error)
            if not response.content:
                return {}
            try:
                return response.json()
            except ValueError as exc:
                raise ProviderCallError(f"{spec.id}: the answer is not JSON "
                                        f"({response.headers.get('content-type', '?')})",
                                        code="BadResponse",
                                        status=response.status_code) from exc
    finally:
        if own:
            http.close()
    raise AssertionError("unreachable")  # pragma: no cover
