"""What is safe to run against a cluster: access classes and sensitive reads.

Kubernetes says what an operation does through its HTTP method and path, not its name. A GET
is a read (get, list, watch, logs), except on the subresources that open a channel into a pod or
node or act on it: ``exec``, ``attach``, ``portforward`` and ``proxy`` are GET-able but run
commands or reach arbitrary backends; ``eviction``, ``binding`` and a service account's
``token`` are POSTs that change state or mint credentials. Every non-GET is a write, but for
the access reviews: a POST of a SubjectAccessReview (and its self and local forms, and a
SelfSubjectRulesReview or SelfSubjectReview) asks the API server a question and stores nothing
("kubectl auth can-i"), so it is a read. A TokenReview is left a write: it takes someone's token.
"""

from __future__ import annotations

from mcp_sre import hookimpl
from mcp_sre.specs.model import APISpec

__all__ = [
    "PROVIDER",
    "QUERY_KINDS",
    "SENSITIVE_OPERATIONS",
    "WRITE_SUBRESOURCES",
    "classify_operation",
    "kubernetes_access",
    "sensitive_operations",
]

PROVIDER = "kubernetes"
WRITE_SUBRESOURCES = frozenset(
    {"exec", "attach", "portforward", "proxy", "eviction", "binding", "token"}
)
# Kinds whose create is a question the API server answers and persists nothing
QUERY_KINDS = frozenset({"subjectaccessreviews", "selfsubjectaccessreviews",
                         "localsubjectaccessreviews", "selfsubjectrulesreviews",
                         "selfsubjectreviews"})
# Reads refused by default: Secret contents (every way to read them: get, list, watch) and the
# API server's own log files.
SENSITIVE_OPERATIONS = [
    "kubernetes/*/readCoreV1NamespacedSecret",
    "kubernetes/*/listCoreV1NamespacedSecret",
    "kubernetes/*/listCoreV1SecretForAllNamespaces",
    "kubernetes/*/watchCoreV1NamespacedSecret",
    "kubernetes/*/watchCoreV1NamespacedSecretList",
    "kubernetes/*/watchCoreV1SecretListForAllNamespaces",
    "kubernetes/*/logFileHandler",
    "kubernetes/*/logFileListHandler",
]


def _subresources(endpoint: str) -> list[str]:
    """Path segments after the object's ``{name}`` (``['log']``, ``['proxy', '{path}']``)."""
    segments = [s for s in endpoint.strip("/").split("/") if s]
    if "{name}" not in segments:
        return []
    return segments[segments.index("{name}") + 1:]


def kubernetes_access(method: str, endpoint: str, action: str | None = None) -> str:
    """``read`` or ``write`` for one operation of the Kubernetes API."""
    if action == "connect" or WRITE_SUBRESOURCES.intersection(_subresources(endpoint)):
        return "write"
    if method.upper() == "POST" and endpoint.rstrip("/").rsplit("/", 1)[-1] in QUERY_KINDS:
        return "read"  # "can I delete pods": a question, nothing is created
    return "read" if method.upper() == "GET" else "write"


@hookimpl
def classify_operation(spec: APISpec) -> str | None:
    if spec.provider != PROVIDER:
        return None
    action = spec.raw.get("x-kubernetes-action") if isinstance(spec.raw, dict) else None
    return kubernetes_access(spec.method, spec.endpoint, action)


@hookimpl
def sensitive_operations() -> list[str]:
    return list(SENSITIVE_OPERATIONS)
