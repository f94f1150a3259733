"""``kubernetes.client`` inside the sandbox.

Every ``XxxApi`` class of the official client exists (the common ones are defined below, any
other is made on first use), as do ``ApiClient``, ``Configuration``, ``ApiException`` and model
classes such as ``V1DeleteOptions(grace_period_seconds=0)`` (plain objects with camelCase keys).
Results are dicts that also read like the client's models: ``pod.metadata.name``.
"""

from . import exceptions, rest
from ._api import Api, ApiClient, ApiResponse, Configuration, api_class
from ._objects import KubeObject, camel, unwrap, wrap
from .exceptions import ApiException, ApiTypeError, ApiValueError, OpenApiException

__all__ = [
    "Api",
    "ApiClient",
    "ApiException",
    "ApiResponse",
    "ApiTypeError",
    "ApiValueError",
    "AppsV1Api",
    "AutoscalingV1Api",
    "AutoscalingV2Api",
    "BatchV1Api",
    "Configuration",
    "CoreApi",
    "CoreV1Api",
    "CustomObjectsApi",
    "EventsV1Api",
    "KubeObject",
    "NetworkingV1Api",
    "OpenApiException",
    "PolicyV1Api",
    "RbacAuthorizationV1Api",
    "StorageV1Api",
    "VersionApi",
    "exceptions",
    "rest",
]


class CoreApi(Api):
    """``/api``: the core group's versions."""


class CoreV1Api(Api):
    """Pods, logs, events, services, nodes, namespaces, config maps, volumes..."""


class AppsV1Api(Api):
    """Deployments, replica sets, stateful sets, daemon sets."""


class BatchV1Api(Api):
    """Jobs and cron jobs."""


class NetworkingV1Api(Api):
    """Ingresses, network policies, ingress classes."""


class AutoscalingV1Api(Api):
    """Horizontal pod autoscalers (v1)."""


class AutoscalingV2Api(Api):
    """Horizontal pod autoscalers with resource, pod and external metrics."""


class PolicyV1Api(Api):
    """Pod disruption budgets."""


class EventsV1Api(Api):
    """``events.k8s.io`` events."""


class StorageV1Api(Api):
    """Storage classes, CSI drivers, volume attachments."""


class RbacAuthorizationV1Api(Api):
    """Roles, cluster roles and their bindings."""


class VersionApi(Api):
    """``/version``: ``get_code()``."""


class CustomObjectsApi(Api):
    """Custom resources by group, version and plural: ``list_namespaced_custom_object(group,
    version, namespace, plural)``, ``get_cluster_custom_object(group, version, plural, name)``."""

    _service = "custom_objects"
    _tag = "CustomObjects"
    _tag_in_id = False
    _custom = True


class _Model(KubeObject):
    """Models are plain objects: keyword arguments become camelCase keys."""

    __slots__ = ()

    def __init__(self, **kwargs):
        KubeObject.__init__(self, ((camel(k), wrap(unwrap(v))) for k, v in kwargs.items()
                                   if v is not None))


_MODELS = {}


def _is_model_name(name):
    """``V1Pod``, ``V2HorizontalPodAutoscaler``, ``V1beta1Foo``."""
    if len(name) < 3 or name[0] != "V" or not name[1].isdigit():
        return False
    rest = name[1:].lstrip("0123456789")
    for stage in ("alpha", "beta"):
        if rest.startswith(stage):
            rest = rest[len(stage):].lstrip("0123456789")
    return rest[:1].isupper()


def __getattr__(name):
    if name.endswith("Api") and name[:1].isupper():
        return api_class(name)
    if _is_model_name(name):
        if name not in _MODELS:
            _MODELS[name] = type(name, (_Model,), {"__slots__": (), "__module__": __name__})
        return _MODELS[name]
    raise AttributeError("module 'kubernetes.client' has no attribute " + repr(name))
