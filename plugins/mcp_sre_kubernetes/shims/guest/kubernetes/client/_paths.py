"""Generic path calls: ``ApiClient().call_api("/api/v1/namespaces/shop/pods", "GET")``.

The path is matched against the API's path templates (shipped with the shim) to find the
operation, so a generic call meets exactly the same policy as a named one: a path the spec does
not describe is refused, not sent.
"""

from . import _routes
from ._api import _invoke, _RawResponse
from ._objects import unwrap, wrap
from .exceptions import ApiValueError

__all__ = ["call_path", "match_route", "serialize"]

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_TABLE = {}


def _table():
    if not _TABLE:
        for line in _routes.ROUTES.splitlines():
            template, *ops = line.split()
            segments = tuple(s for s in template.strip("/").split("/") if s)
            for entry in ops:
                method, service, op = entry.split(":")
                _TABLE.setdefault(method, []).append((segments, service, op))
        for routes in _TABLE.values():
            routes.sort(key=lambda r: -sum(1 for s in r[0] if not s.startswith("{")))
    return _TABLE


def match_route(method, path):
    """``(service, operationId, path parameters)`` for a concrete path, or None."""
    from urllib.parse import unquote

    parts = [unquote(p) for p in path.strip("/").split("/") if p]
    for segments, service, op in _table().get(method.upper(), []):
        tail = segments and segments[-1] in ("{path}", "{logpath}")
        if len(parts) != len(segments) and not (tail and len(parts) >= len(segments)):
            continue
        params, ok = {}, True
        for i, seg in enumerate(segments):
            if tail and i == len(segments) - 1:
                params[seg[1:-1]] = "/".join(parts[i:])
            elif seg.startswith("{"):
                params[seg[1:-1]] = parts[i]
            elif seg != parts[i]:
                ok = False
                break
        if ok:
            return service, op, params
    return None


def serialize(method, resource_path, path_params=None, query_params=None, header_params=None,
              body=None):
    """What the newer client's ``param_serialize`` returns, for ``call_api(method, url...)``."""
    from urllib.parse import quote, urlencode

    path = resource_path
    for key, value in (path_params or {}).items():
        path = path.replace("{" + key + "}", quote(str(value), safe=""))
    query = list(query_params.items()) if isinstance(query_params, dict) else \
        list(query_params or [])
    if query:
        path += "?" + urlencode([(k, str(v).lower() if isinstance(v, bool) else v)
                                 for k, v in query])
    return method, path, dict(header_params or {}), body, []


def _split_url(url):
    from urllib.parse import parse_qsl, urlsplit

    parts = urlsplit(url)
    return parts.path, parse_qsl(parts.query, keep_blank_values=True)


def call_path(args, kwargs):
    args = list(args)
    if args and str(args[0]).upper() in _METHODS and (len(args) < 2 or "/" in str(args[1])):
        method = str(args[0]).upper()
        url = args[1] if len(args) > 1 else kwargs.get("url", "")
        body = args[3] if len(args) > 3 else kwargs.get("body")
        path, query = _split_url(url)
        raw = True
        only_data = False
    else:
        path = args[0] if args else kwargs.get("resource_path", "")
        method = str(args[1] if len(args) > 1 else kwargs.get("method", "GET")).upper()
        path_params = args[2] if len(args) > 2 else kwargs.get("path_params")
        query_params = args[3] if len(args) > 3 else kwargs.get("query_params")
        body = args[5] if len(args) > 5 else kwargs.get("body")
        _, url, _, _, _ = serialize(method, path, path_params, query_params)
        path, query = _split_url(url)
        raw = kwargs.get("_preload_content") is False
        only_data = bool(kwargs.get("_return_http_data_only"))
    found = match_route(method, path)
    if found is None:
        raise ApiValueError(f"no Kubernetes API operation matches {method} {path}; the sandbox can only "
                            "call paths the API spec describes")
    service, op, params = found
    if query:
        import sre

        info = sre.describe("kubernetes/" + service + "/" + op)
        types = {p["name"]: p.get("type") for p in info.get("parameters") or []}
        for key, value in query:
            params[key] = _typed(value, types.get(key))
    if body is not None:
        params["body"] = unwrap(body)
    data = _invoke(service, [op], params)
    if raw:
        return _RawResponse(data)
    data = wrap(data)
    return data if only_data else (data, 200, {})


def _typed(value, kind):
    """Query strings arrive as text; the API's parameters are typed."""
    if kind == "boolean" and value in ("true", "false", "1", "0"):
        return value in ("true", "1")
    if kind == "integer" and value.lstrip("-").isdigit():
        return int(value)
    return value
