"""``build(serviceName, version)``: a client whose resources and methods mirror the discovery
document, each method call being a bridged read (``gcp/<api>/<api>.<resource>.<method>``)."""

from googleapiclient.errors import HttpError, UnknownApiNameOrVersion
from googleapiclient.http import HttpRequest

__all__ = ["Resource", "build", "build_from_document"]


class _Node:
    """A resource collection and a method at once: which one a name is, the host's spec
    knows; ``execute()`` on it calls it as a method, an attribute walks on to a child."""

    def __init__(self, api, path, params):
        self._api = api
        self._path = path
        self._params = params

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name.endswith("_next"):
            return self._next_page(name[: -len("_next")])
        api, path = self._api, [*self._path, name]

        def node(**params):
            return _Node(api, path, params)

        node.__name__ = name
        return node

    def _operation_id(self):
        return "gcp/" + self._api + "/" + ".".join([self._api, *self._path])

    def _next_page(self, method):
        def next_request(previous_request, previous_response):
            token = (previous_response or {}).get("nextPageToken")
            if not token:
                return None
            params = dict(previous_request.params)
            params["pageToken"] = token
            return HttpRequest(previous_request.operation_id, params)

        return next_request

    def execute(self, http=None, num_retries=0):
        return HttpRequest(self._operation_id(), self._params).execute()

    def close(self):
        return None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __repr__(self):
        return "<googleapiclient resource " + self._operation_id() + " (mcp-sre sandbox)>"


class Resource(_Node):
    def __init__(self, api, version):
        super().__init__(api, [], {})
        self._version = version


def build(serviceName, version=None, http=None, discoveryServiceUrl=None, developerKey=None,
          model=None, requestBuilder=None, credentials=None, cache_discovery=True, cache=None,
          client_options=None, **kwargs):
    """The sandbox's client for ``serviceName`` (credentials stay on the host)."""
    if not isinstance(serviceName, str) or not serviceName.isidentifier():
        raise UnknownApiNameOrVersion("name: " + repr(serviceName) + "  version: "
                                      + repr(version))
    return Resource(serviceName, version)


def build_from_document(service, **kwargs):
    raise NotImplementedError("the sandbox builds clients by name: discovery.build(api, version)")


__all__ += ["HttpError"]
