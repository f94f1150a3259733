"""API classes, ``ApiClient`` and ``Configuration`` over the bridge.

A method of an ``XxxApi`` class becomes an operation id the way the official client was
generated, in reverse: ``CoreV1Api.list_namespaced_pod`` -> ``listCoreV1NamespacedPod`` in
service ``core_v1`` (the host matches names ignoring case, so ``CsiDriver`` finds
``CSIDriver``). Positional arguments are the client's required parameters in its order; keyword
arguments are renamed to the API's names (``label_selector`` -> ``labelSelector``).
Module-level imports stay minimal: every import costs start-up time in the sandbox.
"""

from . import _generated
from ._objects import camel, norm, unwrap, wrap
from .exceptions import ApiException, ApiTypeError

__all__ = ["Api", "ApiClient", "ApiResponse", "Configuration", "api_class", "service_of"]

_PROVIDER = "kubernetes"
_SINGLE_VERBS = ("read", "replace", "patch", "delete", "connect")
_BODY_VERBS = ("create", "replace", "patch")
_CLIENT_ONLY = {"async_req", "_preload_content", "_request_timeout", "_return_http_data_only",
                "_request_auth", "_content_type", "_headers", "_host_index", "pretty"}


def _sre():
    import sre

    return sre


def service_of(class_name):
    """``CoreV1Api`` -> ``core_v1``, ``RbacAuthorizationV1Api`` -> ``rbacauthorization_v1``."""
    base = class_name[:-3] if class_name.endswith("Api") else class_name
    cut = len(base)
    for i in range(len(base) - 1, 0, -1):  # the last "V<digit>" starts the version
        if base[i] == "V" and base[i + 1:i + 2].isdigit():
            cut = i
            break
    group, version = base[:cut], base[cut:]
    return group.lower() + ("_" + version.lower() if version else "")


def positional_names(method, nargs, custom=False):
    """Names of a client method's positional parameters (the required ones, in order)."""
    verb = method.split("_", 1)[0]
    names = []
    if custom:
        names = ["group", "version"]
        if method == "list_custom_object_for_all_namespaces":
            names.append("resource_plural")
        elif method != "get_api_resources":
            if "_namespaced_" in "_" + method + "_":
                names.append("namespace")
            names.append("plural")
            if verb in ("get", "replace", "patch", "delete") and "_collection_" not in method:
                names.append("name")
    elif method == "log_file_handler":
        names = ["logpath"]
    else:
        single = verb in _SINGLE_VERBS and not method.startswith("delete_collection")
        if verb == "watch":  # watch_namespaced_pod(name, namespace) vs watch_..._list
            single = not method.endswith("_list") and "_list_for_all_namespaces" not in method
        if single:
            names.append("name")
        if "_namespaced_" in "_" + method + "_":
            names.append("namespace")
        if method.endswith("_with_path"):
            names.append("path")
    if verb in _BODY_VERBS:
        names.append("body")
    if verb == "create" and nargs == len(names) + 1 and not custom:
        names.insert(0, "name")  # subresource creates: eviction, binding, token
    return names


def _camel_words(text):
    return "".join(w[:1].upper() + w[1:] for w in text.split("_") if w)


def operation_candidates(tag, method, tag_in_id=True):
    """Operation names to try for ``method``: the generated form first."""
    verb, _, rest = method.partition("_")
    body = _camel_words(rest)
    forms = [verb + tag + body, verb + body, verb + body + tag] if tag_in_id else \
        [verb + body, verb + tag + body]
    return list(dict.fromkeys(forms))


class ApiResponse:
    """What ``*_with_http_info`` returns: ``.data``, ``.status_code``, ``.headers``; unpacks
    like the older clients' ``(data, status, headers)`` tuple."""

    def __init__(self, data, status_code=200, headers=None):
        self.data = data
        self.status_code = status_code
        self.headers = headers or {}
        self.raw_data = data

    def __iter__(self):
        return iter((self.data, self.status_code, self.headers))


class Configuration:
    """Accepted and ignored: the host's kubeconfig decides where calls go."""

    _default = None

    def __init__(self, host=None, api_key=None, **kwargs):
        self.host = host or "https://kubernetes.default.svc"
        self.api_key = dict(api_key or {})
        self.api_key_prefix = {}
        self.verify_ssl = True
        self.ssl_ca_cert = None
        self.proxy = None
        for key, value in kwargs.items():
            setattr(self, key, value)

    @classmethod
    def get_default_copy(cls):
        return cls._default or cls()

    @classmethod
    def get_default(cls):
        return cls.get_default_copy()

    @classmethod
    def set_default(cls, default):
        cls._default = default


class _RawResponse:
    """A response for code that asked for raw content (``_preload_content=False``)."""

    def __init__(self, data):
        import json

        self.status = 200
        self.reason = "OK"
        self.data = (data if isinstance(data, str) else json.dumps(data)).encode("utf-8")
        self.headers = {}

    def read(self):
        return self.data

    def stream(self, amt=65536, decode_content=True):
        """The whole body as one chunk (the host already bounded it)."""
        yield self.data

    def release_conn(self):
        pass

    def close(self):
        pass

    def getheader(self, name, default=None):
        return default

    def getheaders(self):
        return {}

    def json(self):
        import json

        return json.loads(self.data)


class ApiClient:
    """Accepted for compatibility; ``call_api`` makes a generic path call."""

    def __init__(self, configuration=None, header_name=None, header_value=None, cookie=None,
                 pool_threads=1):
        self.configuration = configuration or Configuration.get_default_copy()
        self.default_headers = {}
        if header_name:
            self.default_headers[header_name] = header_value

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        pass

    def set_default_header(self, name, value):
        self.default_headers[name] = value

    def sanitize_for_serialization(self, obj):
        return unwrap(obj)

    def call_api(self, *args, **kwargs):
        """``call_api(resource_path, method, path_params=..., query_params=..., body=...)``
        (older clients) or ``call_api(method, url, header_params, body)`` (newer): the path is
        matched against the API's path templates and called as that operation."""
        from ._paths import call_path

        return call_path(args, kwargs)

    def param_serialize(self, method, resource_path, path_params=None, query_params=None,
                        header_params=None, body=None, post_params=None, files=None,
                        auth_settings=None, collection_formats=None, _host=None,
                        _request_auth=None):
        from ._paths import serialize

        return serialize(method, resource_path, path_params, query_params, header_params, body)

    def response_deserialize(self, response_data, response_types_map=None):
        return ApiResponse(wrap(response_data.json()) if hasattr(response_data, "json")
                           else response_data)


def _invoke(service, op_names, params):
    sre = _sre()
    last = None
    for name in op_names:
        op_id = _PROVIDER + "/" + service + "/" + name
        try:
            return sre.call(op_id, **params)
        except sre.OperationNotFound as exc:
            last = exc
        except sre.ProviderError as exc:
            if isinstance(exc, ApiException):
                raise
            raise ApiException.from_call_error(exc) from None
    raise last


def _bind(obj, method, args, kwargs):
    names = positional_names(method, len(args), custom=obj._custom)
    if len(args) > len(names):
        raise ApiTypeError(f"{method}() takes {len(names)} positional arguments "
                           f"({', '.join(names) or 'none'}) but {len(args)} were given")
    params = {}
    for name, value in zip(names, args, strict=False):
        params[name] = value
    for key, value in kwargs.items():
        if key in _CLIENT_ONLY or value is None:
            continue
        if key in names or key in ("body", "group", "version", "plural"):
            name = key
        else:
            name = camel(key)
            name = _generated.PARAM_NAMES.get(norm(name), name)
        params[name] = value
    if "body" in params:
        params["body"] = unwrap(params["body"])
    return params


class Api:
    """Base of every ``XxxApi`` class: methods are resolved by name on first use."""

    _service = None
    _tag = None
    _tag_in_id = True
    _custom = False

    def __init__(self, api_client=None):
        self.api_client = api_client or ApiClient()

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        base, mode = name, "data"
        for suffix in ("_with_http_info", "_without_preload_content"):
            if name.endswith(suffix):
                base, mode = name[: -len(suffix)], suffix
        cls = type(self)
        tag = cls._tag or cls.__name__[:-3]
        service = cls._service or service_of(cls.__name__)
        candidates = operation_candidates(tag, base, cls._tag_in_id)

        def method(*args, **kwargs):
            params = _bind(self, base, args, kwargs)
            raw = kwargs.get("_preload_content") is False
            data = _invoke(service, candidates, params)
            if mode == "_without_preload_content" or raw:
                return _RawResponse(data)
            data = wrap(data)
            if mode == "_with_http_info":
                return ApiResponse(data)
            return data

        method.__name__ = name
        method.__qualname__ = cls.__name__ + "." + name
        return method


_CLASSES = {}


def api_class(name):
    """An API class for any ``XxxApi`` name (``SchedulingV1Api``, ``PolicyV1Api``...)."""
    if name not in _CLASSES:
        _CLASSES[name] = type(name, (Api,), {"__module__": "kubernetes.client"})
    return _CLASSES[name]
