"""What the ``volcenginesdk<service>`` shims are made of: API classes whose snake-case methods
are bridged calls to ``volcengine/<service>/<Action>``, request models that turn snake-case
arguments into wire names, and answers whose fields read as snake-case attributes."""

import sre
from volcenginesdkcore.api_client import ApiClient
from volcenginesdkcore.rest import ApiException

__all__ = ["Answer", "make_api", "make_model", "snake", "to_wire"]


def _camel(name):
    return "".join(w[:1].upper() + w[1:] for w in name.split("_"))


def _norm(name):
    return name.replace("_", "").lower()


def snake(name):
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (not name[i - 1].isupper() or (
                i + 1 < len(name) and name[i + 1].islower())):
            out.append("_")
        out.append(ch.lower())
    return "".join(out).replace("-", "_")


def to_wire(value, names):
    """Request data in wire form: models and snake-case dict keys become wire names."""
    if hasattr(value, "_wire"):
        return value._wire(names)
    if isinstance(value, dict):
        return {names.get(k, _camel(k)) if "_" in k or k.islower() else k: to_wire(v, names)
                for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [to_wire(v, names) for v in value]
    return value


class Answer:
    """A JSON object of an answer: ``resp.instances[0].instance_id``, ``resp.to_dict()``."""

    def __init__(self, data):
        self._data = data
        self._keys = {_norm(k): k for k in data}

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        key = self._keys.get(_norm(name))
        if key is None:
            return None  # the SDK's models answer None for fields the response left out
        return _wrap(self._data[key])

    def __getitem__(self, key):
        return _wrap(self._data[key])

    def __contains__(self, key):
        return key in self._data

    def __eq__(self, other):
        return isinstance(other, Answer) and other._data == self._data

    def to_dict(self):
        return {snake(k): _plain(v) for k, v in self._data.items()}

    def __repr__(self):
        return repr(self.to_dict())


def _wrap(value):
    if isinstance(value, dict):
        return Answer(value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def _plain(value):
    if isinstance(value, dict):
        return {snake(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def make_model(name):
    """A request/response model class such as ``DescribeInstancesRequest``."""

    def __init__(self, **kwargs):
        kwargs.pop("_configuration", None)
        self.__dict__.update(kwargs)

    def _wire(self, names):
        return {names.get(k, _camel(k)): to_wire(v, names)
                for k, v in self.__dict__.items() if v is not None}

    def to_dict(self):
        return {k: _plain(to_wire(v, {})) for k, v in self.__dict__.items()}

    return type(name, (), {"__init__": __init__, "_wire": _wire, "to_dict": to_dict,
                           "__repr__": lambda self: name + repr(self.to_dict())})


class _Api:
    _service = ""
    _names = {}

    def __init__(self, api_client=None):
        self.api_client = api_client or ApiClient()

    def _call(self, method, body, kwargs):
        for key in ("async_req", "_return_http_data_only", "_preload_content",
                    "_request_timeout"):
            kwargs.pop(key, None)
        if kwargs:
            raise TypeError("Got an unexpected keyword argument '" + sorted(kwargs)[0] +
                            "' to method " + method)
        params = to_wire(body, self._names) if body is not None else {}
        op = "volcengine/" + self._service + "/" + method
        try:
            data = sre.request(op, params, region=self.api_client.region)
        except sre.PolicyDenied:
            raise
        except sre.OperationNotFound as exc:
            raise AttributeError("'" + type(self).__name__ + "' object has no attribute '" +
                                 method + "' (" + exc.message + ")") from None
        except sre.ParamValidationError as exc:
            raise ValueError(exc.message) from None
        except sre.ProviderError as exc:
            raise ApiException(status=exc.status, reason=exc.code or "error", code=exc.code,
                               message=exc.message) from None
        return _wrap(data)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        base = name[:-len("_with_http_info")] if name.endswith("_with_http_info") else name

        def method(body=None, **kwargs):
            return self._call(base, body, kwargs)

        method.__name__ = name
        return method


def make_api(class_name, service, names):
    """``ECSApi`` for service ``ecs``; ``names`` maps snake-case names whose wire name is not
    the plain CamelCase (``eip_id`` -> ``EipID``)."""
    return type(class_name, (_Api,), {"_service": service, "_names": dict(names)})
