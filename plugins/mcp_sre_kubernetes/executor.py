"""Run an allowed Kubernetes operation with the host's credentials.

The call goes through the official ``kubernetes`` client (``ApiClient.param_serialize`` +
``call_api``) on the spec's method and path, so authentication (token, client certificate,
exec plugins, in-cluster service account) is exactly what ``kubectl`` would use. The guest gets
plain JSON (or text for logs), never the client, its configuration or its token. Streaming calls
are bounded: ``watch`` ends after at most :data:`STREAM_LIMIT_S` seconds and ``follow`` is off.
"""

from __future__ import annotations

import json
import re
from typing import Any

from mcp_sre import hookimpl
from mcp_sre.sandbox.models import ProviderCallError
from mcp_sre.specs.model import APISpec
from mcp_sre_kubernetes.classify import PROVIDER
from mcp_sre_kubernetes.connection import KubernetesConfigError, api_client_for, resolve_target

__all__ = ["STREAM_LIMIT_S", "execute_operation", "prepare_call", "snake_to_camel"]

STREAM_LIMIT_S = 10
DEFAULT_TIMEOUT_S = 30.0
# Client-library keyword arguments that are not API parameters.
_TAIL_PARAMS = {"path", "logpath"}  # proxy/log-file paths: the only ones that may hold "/"
_CLIENT_ONLY = {"async_req", "_preload_content", "_request_timeout", "_return_http_data_only",
                "_request_auth", "_content_type", "_headers", "_host_index"}


def snake_to_camel(name: str) -> str:
    """``label_selector`` -> ``labelSelector``; ``_continue`` -> ``continue``."""
    name = name.lstrip("_")
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def _validation(message: str, hint: str | None = None) -> ProviderCallError:
    return ProviderCallError(message, code="InvalidParameter", kind="validation_error", hint=hint)


def prepare_call(
    spec: APISpec, params: dict[str, Any], default_namespace: str
) -> tuple[dict[str, Any], list[tuple[str, Any]], Any]:
    """Split ``params`` into path, query and body by the spec; accept snake_case names."""
    known = {p.name: p for p in spec.parameters}
    placeholders = re.findall(r"\{([^}]+)\}", spec.endpoint)
    values: dict[str, Any] = {}
    unknown = []
    for key, value in params.items():
        if key in _CLIENT_ONLY:
            continue
        name = key if key in known or key in placeholders else snake_to_camel(key)
        if name not in known and name not in placeholders:
            unknown.append(key)
        elif value is not None:
            values[name] = value
    if unknown:
        accepted = ", ".join(sorted(known)) or "none"
        raise _validation(f"{spec.id}: unknown parameter(s) {', '.join(sorted(unknown))}",
                          hint=f"accepted: {accepted}")
    if "namespace" in placeholders and not values.get("namespace"):
        values["namespace"] = default_namespace
    missing = [p for p in placeholders if values.get(p) in (None, "")]
    missing += [p.name for p in spec.parameters
                if p.required and p.location != "path" and p.name not in values]
    if missing:
        raise _validation(f"{spec.id}: missing required parameter(s) {', '.join(missing)}")
    path = {k: values.pop(k) for k in placeholders}
    for key, value in path.items():
        text = str(value)
        if key not in _TAIL_PARAMS and ("/" in text or "%" in text or text in (".", "..")):
            # an object name never holds these; a value that does could steer the request to
            # another resource (e.g. a custom-object "group" of "../api") past the policy
            raise _validation(f"{spec.id}: path parameter {key}={text!r} is not a valid name")
    body_names = [p.name for p in spec.parameters if p.location == "body"]
    body = values.pop(body_names[0], None) if body_names else None
    query = values
    if str(query.get("watch", "")).lower() in ("true", "1") or spec.name.startswith("watch"):
        asked = str(query.get("timeoutSeconds") or "")
        query["timeoutSeconds"] = min(int(asked), STREAM_LIMIT_S) if asked.isdigit() and \
            int(asked) > 0 else STREAM_LIMIT_S
    if "follow" in query:
        query["follow"] = False
    return path, sorted(query.items()), body


def _error(spec: APISpec, status: int, data: bytes) -> ProviderCallError:
    reason, message = "", data.decode("utf-8", "replace")[:500]
    try:
        body = json.loads(data)
        if isinstance(body, dict) and body.get("kind") == "Status":
            reason, message = str(body.get("reason", "")), str(body.get("message", message))
    except ValueError:
        pass
    return ProviderCallError(message or f"HTTP {status} from {spec.name}",
                             code=reason or f"HTTP{status}", status=status)


def _decode(data: bytes, content_type: str, streamed: bool, text_result: bool) -> Any:
    text = data.decode("utf-8", "replace")
    if "stream=watch" in content_type or streamed:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    if text_result:  # logs: a JSON-looking log line is still text
        return text
    if "json" in content_type:
        return json.loads(text) if text.strip() else None
    try:
        return json.loads(text) if text[:1] in ("{", "[") else text
    except ValueError:
        return text


@hookimpl
def execute_operation(spec: APISpec, params: dict[str, Any], context: dict[str, Any]) -> Any:
    if spec.provider != PROVIDER:
        return None
    try:
        api, namespace = api_client_for(resolve_target(context))
    except KubernetesConfigError as exc:
        raise ProviderCallError(exc.message, code="ClusterNotConfigured", hint=exc.hint) from exc
    path, query, body = prepare_call(spec, params, namespace)
    streamed = any(k == "watch" and str(v).lower() in ("true", "1") for k, v in query) \
        or spec.name.startswith("watch")
    text = (spec.return_schema or {}).get("type") == "string"
    headers = {"Accept": "text/plain, application/json" if text else "application/json"}
    if body is not None:
        headers["Content-Type"] = ("application/merge-patch+json" if spec.method == "PATCH"
                                   else "application/json")
    timeout = float(context.get("timeout_s") or DEFAULT_TIMEOUT_S)
    if streamed:
        timeout = STREAM_LIMIT_S + 5.0
    try:
        method, url, hdrs, payload, _ = api.param_serialize(
            spec.method, spec.endpoint, path_params=path, query_params=query or None,
            header_params=headers, body=body, auth_settings=["BearerToken"])
        resp = api.call_api(method, url, header_params=hdrs, body=payload,
                            _request_timeout=timeout)
        data = resp.read() or b""
    except ProviderCallError:
        raise
    except Exception as exc:  # urllib3 connection, TLS and timeout errors
        host = getattr(api.configuration, "host", "the cluster")
        raise ProviderCallError(f"{spec.name}: cannot reach {host}: {type(exc).__name__}",
                                code="ConnectionError") from exc
    if resp.status >= 400:
        raise _error(spec, resp.status, data)
    return _decode(data, resp.getheader("content-type") or "", streamed, text)
