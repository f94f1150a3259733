"""API objects as dicts that also read like the client's models.

``pod["metadata"]["name"]`` and ``pod.metadata.name`` both work; attribute names are the
client's snake_case (``pod.status.container_statuses``, ``svc.spec.cluster_ip``) and are matched
to the JSON's camelCase keys ignoring case and underscores. As in the client, an unset field
reads as ``None`` and RFC 3339 times read as ``datetime`` through attributes (items keep the
JSON string).
"""

__all__ = ["KubeObject", "camel", "norm", "unwrap", "wrap"]


def norm(name):
    return name.replace("_", "").lower()


def camel(name):
    """``label_selector`` -> ``labelSelector``; ``_continue`` -> ``continue``."""
    name = name.lstrip("_")
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def _as_time(value):
    """RFC 3339 strings (``2026-11-25T09:00:00Z``) as aware datetimes; anything else as is."""
    if not (isinstance(value, str) and 20 <= len(value) <= 35 and value[4:5] == "-"
            and value[10:11] == "T" and value[-1:] in "Z0123456789"
            and value[:4].isdigit()):
        return value
    import datetime

    try:
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value


class _Field(list):
    """A list field named like a dict method (``items``, ``values``): iterate it as the field,
    or call it for the dict method."""

    __slots__ = ("_call",)

    def __call__(self, *args, **kwargs):
        return self._call(*args, **kwargs)


class _DictOrField:
    """``pods.items`` is the list of pods; ``pods.items()`` is still ``dict.items``."""

    def __init__(self, name):
        self.name = name

    def __get__(self, obj, owner=None):
        method = getattr(dict, self.name)
        if obj is None:
            return method
        value = dict.get(obj, self.name)
        if isinstance(value, list):
            field = _Field(value)
            field._call = method.__get__(obj, owner)
            return field
        return method.__get__(obj, owner)


class KubeObject(dict):
    """A JSON object from the API with attribute access in the client's style."""

    __slots__ = ()
    items = _DictOrField("items")
    values = _DictOrField("values")

    def _key(self, name):
        if dict.__contains__(self, name):
            return name
        alt = camel(name)
        if dict.__contains__(self, alt):
            return alt
        wanted = norm(name.lstrip("_"))
        for key in self:
            if isinstance(key, str) and norm(key) == wanted:
                return key
        return None

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        key = self._key(name)
        return None if key is None else _as_time(dict.__getitem__(self, key))

    def __setattr__(self, name, value):
        self[self._key(name) or camel(name)] = wrap(value)

    def __getitem__(self, key):
        if dict.__contains__(self, key) or not isinstance(key, str):
            return dict.__getitem__(self, key)
        found = self._key(key)
        if found is None:
            raise KeyError(key)
        return dict.__getitem__(self, found)

    def __contains__(self, key):
        return dict.__contains__(self, key) or (isinstance(key, str) and self._key(key) is not None)

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def to_dict(self):
        """The object as data (JSON's camelCase keys; snake_case item lookups still work)."""
        return wrap(unwrap(self))

    def to_str(self):
        return repr(unwrap(self))


def wrap(value):
    """Turn nested JSON data into KubeObjects (lists stay lists)."""
    if isinstance(value, dict) and not isinstance(value, KubeObject):
        return KubeObject((k, wrap(v)) for k, v in value.items())
    if isinstance(value, KubeObject):
        return value
    if isinstance(value, list):
        return [wrap(v) for v in value]
    return value


def unwrap(value):
    """Plain JSON data from KubeObjects, model-like objects and datetimes."""
    if isinstance(value, dict):
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [unwrap(v) for v in value]
    if hasattr(value, "isoformat") and hasattr(value, "year"):
        return value.isoformat().replace("+00:00", "Z")
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return unwrap(value.to_dict())
    return value
