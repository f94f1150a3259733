"""One generic management client behind every ``azure.mgmt.*`` shim.

``client.<operation_group>.<method>(*args, **kwargs)`` is the bridged call
``azure/<service>/<operation_group>_<method>``; the host matches it to the spec's operationId
(``VirtualMachines_ListAll``). The operation's parameters (from ``sre.describe``) map the SDK's
snake_case keywords (``resource_group_name``, ``filter``) to the API's names
(``resourceGroupName``, ``$filter``) and positional arguments to the path parameters in order.
Pageable lists return an iterable of models; models answer attribute access in snake_case,
looking inside ``properties`` too, as the SDKs flatten it.
"""

import sre
from azure.core.exceptions import from_call_error

__all__ = ["ManagementClient", "Model"]


def _norm(name):
    return "".join(c for c in str(name) if c.isalnum()).lower()


def _camel(snake):
    head, *rest = snake.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def _wrap(value):
    if isinstance(value, dict):
        return Model(value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


class Model:
    """An SDK model over the answer's JSON: ``vm.name``, ``vm.hardware_profile.vm_size``."""

    def __init__(self, data):
        self._data = data

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        data = self._data
        for key in (name, _camel(name)):
            if key in data:
                return _wrap(data[key])
        props = data.get("properties")
        if isinstance(props, dict):
            for key in (name, _camel(name)):
                if key in props:
                    return _wrap(props[key])
        lowered = {_norm(k): k for k in data}
        if _norm(name) in lowered:
            return _wrap(data[lowered[_norm(name)]])
        return None

    def __getitem__(self, key):
        return _wrap(self._data[key])

    def get(self, key, default=None):
        return _wrap(self._data.get(key, default))

    def as_dict(self):
        return self._data

    serialize = as_dict

    def __eq__(self, other):
        return isinstance(other, Model) and other._data == self._data

    def __repr__(self):
        return "<" + str(self._data.get("type") or "model") + " " + \
            str(self._data.get("name") or "") + ">"


class ItemPaged:
    """What SDK list methods return: iterate the items, or ``by_page()``."""

    def __init__(self, items):
        self._items = [_wrap(i) for i in items]

    def __iter__(self):
        return iter(self._items)

    def by_page(self, continuation_token=None):
        return iter([iter(self._items)])


class _Poller:
    """What ``begin_*`` methods return (long-running operations)."""

    def __init__(self, result):
        self._result = result

    def result(self, timeout=None):
        return self._result

    def wait(self, timeout=None):
        return None

    def done(self):
        return True

    def status(self):
        return "Succeeded"


class _Group:
    def __init__(self, client, group):
        self._client = client
        self._group = group

    def __getattr__(self, method):
        if method.startswith("_"):
            raise AttributeError(method)
        lro = method.startswith("begin_")
        name = method[len("begin_"):] if lro else method
        client, group = self._client, self._group

        def call(*args, **kwargs):
            result = client._call(group, name, args, kwargs)
            return _Poller(result) if lro else result

        call.__name__ = method
        return call


class ManagementClient:
    """``<Service>ManagementClient(credential, subscription_id)``."""

    _service = ""

    def __init__(self, credential=None, subscription_id=None, base_url=None, **kwargs):
        self._credential = credential
        self._subscription_id = subscription_id
        self._described = {}

    def __getattr__(self, group):
        if group.startswith("_"):
            raise AttributeError(group)
        return _Group(self, group)

    def close(self):
        return None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def _operation_id(self, group, method):
        return "azure/" + self._service + "/" + group + "_" + method

    def _describe(self, op):
        if op not in self._described:
            try:
                self._described[op] = sre.describe(op)
            except sre.OperationNotFound as exc:
                raise AttributeError(op.rsplit("/", 1)[-1] + " is not an operation of this "
                                     "client (" + exc.message + ")") from None
        return self._described[op]

    def _params(self, info, args, kwargs):
        params = info.get("parameters") or []
        by_norm = {_norm(p["name"]): p["name"] for p in params}
        out = {}
        if self._subscription_id is not None and "subscriptionId" in by_norm.values():
            out["subscriptionId"] = self._subscription_id
        for key, value in kwargs.items():
            if value is None or key in ("polling", "cls", "headers"):
                continue
            name = by_norm.get(_norm(key))
            if name is None:
                raise TypeError(info["name"] + "() got an unexpected keyword argument '" + key
                                + "'; parameters: " + ", ".join(p["name"] for p in params))
            out[name] = value.as_dict() if isinstance(value, Model) else value
        positional = [p["name"] for p in params if p.get("required") and p["name"] not in out
                      and p["name"] != "subscriptionId"]
        if len(args) > len(positional):
            raise TypeError(info["name"] + "() takes " + str(len(positional))
                            + " positional arguments: " + ", ".join(positional))
        for name, value in zip(positional, args, strict=False):
            out[name] = value
        return out

    def _call(self, group, method, args, kwargs):
        op = self._operation_id(group, method)
        info = self._describe(op)
        try:
            data = sre.request(info["id"], self._params(info, args, kwargs))
        except sre.ProviderError as exc:
            raise from_call_error(exc) from None
        if info.get("pagination") and isinstance(data, dict) and \
                isinstance(data.get("value"), list):
            return ItemPaged(data["value"])
        return _wrap(data) if data != {} else None


def client_class(name, service):
    return type(name, (ManagementClient,), {"_service": service})
