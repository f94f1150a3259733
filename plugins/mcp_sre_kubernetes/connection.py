"""Which cluster to talk to, and an authenticated API client for it (host side only).

Resolution order: the run's ``context`` dict (``kubeconfig``, ``kube_context``, ``namespace``),
then the environment (``KUBECONFIG``, ``MCP_SRE_K8S_CONTEXT``, ``MCP_SRE_K8S_NAMESPACE``), then
``~/.kube/config``, then the in-cluster service account. Credentials stay in the client object;
nothing here returns them to a caller.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from mcp_sre.errors import McpSreError

__all__ = [
    "IN_CLUSTER_NAMESPACE_FILE",
    "ClusterTarget",
    "KubernetesConfigError",
    "api_client_for",
    "cluster_configured",
    "resolve_target",
]

IN_CLUSTER_NAMESPACE_FILE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
_lock = threading.Lock()
_clients: dict[tuple[Any, ...], tuple[Any, str]] = {}


class KubernetesConfigError(McpSreError):
    """No usable kubeconfig or service account, or the named context does not exist."""


class ClusterTarget(BaseModel):
    """Where calls go: a kubeconfig (and context) or the in-cluster service account."""

    kubeconfig: str | None = Field(default=None, description="Kubeconfig path(s), ':'-separated")
    context: str | None = Field(default=None, description="Kubeconfig context; None = current")
    namespace: str | None = Field(default=None, description="Namespace override for this run")
    in_cluster: bool = Field(default=False, description="Use the pod's service account")


def _existing_kubeconfig(value: str | None) -> str | None:
    if not value:
        return None
    paths = [p for p in value.split(os.pathsep) if p and Path(p).expanduser().is_file()]
    return os.pathsep.join(str(Path(p).expanduser()) for p in paths) or None


def _in_cluster() -> bool:
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST")) and Path(
        "/var/run/secrets/kubernetes.io/serviceaccount/token").is_file()


def resolve_target(context: dict[str, Any] | None = None) -> ClusterTarget:
    """Pick the cluster for a run; raises :class:`KubernetesConfigError` when there is none."""
    context = context or {}
    explicit = context.get("kubeconfig")
    if explicit and not _existing_kubeconfig(str(explicit)):
        raise KubernetesConfigError(f"kubeconfig {explicit!r} does not exist")
    kubeconfig = (_existing_kubeconfig(str(explicit)) if explicit else None) \
        or _existing_kubeconfig(os.environ.get("KUBECONFIG")) \
        or _existing_kubeconfig(str(Path("~/.kube/config").expanduser()))
    kube_context = (context.get("kube_context") or context.get("k8s_context")
                    or os.environ.get("MCP_SRE_K8S_CONTEXT") or None)
    namespace = context.get("namespace") or os.environ.get("MCP_SRE_K8S_NAMESPACE") or None
    if kubeconfig:
        return ClusterTarget(kubeconfig=kubeconfig, context=kube_context, namespace=namespace)
    if _in_cluster():
        return ClusterTarget(in_cluster=True, namespace=namespace)
    raise KubernetesConfigError(
        "no Kubernetes cluster configured",
        hint="set KUBECONFIG (or create ~/.kube/config), or run inside a pod with a service "
        "account; `mcp-sre k8s-sim --kubeconfig-out FILE` starts a local endpoint to try",
    )


def cluster_configured() -> bool:
    try:
        resolve_target()
    except KubernetesConfigError:
        return False
    return True


def api_client_for(target: ClusterTarget) -> tuple[Any, str]:
    """An authenticated ``kubernetes.client.ApiClient`` and the default namespace (cached per
    kubeconfig file version and context)."""
    from kubernetes import client, config
    from kubernetes.config.config_exception import ConfigException

    if target.in_cluster:
        key: tuple[Any, ...] = ("in-cluster",)
    else:
        stamps = tuple(Path(p).stat().st_mtime_ns for p in str(target.kubeconfig).split(os.pathsep))
        key = (target.kubeconfig, stamps, target.context)
    with _lock:
        cached = _clients.get(key)
        if cached is None:
            try:
                if target.in_cluster:
                    cfg = client.Configuration()
                    config.load_incluster_config(client_configuration=cfg)
                    api = client.ApiClient(cfg)
                    ns = (IN_CLUSTER_NAMESPACE_FILE.read_text().strip()
                          if IN_CLUSTER_NAMESPACE_FILE.is_file() else "default")
                else:
                    api = config.new_client_from_config(
                        config_file=target.kubeconfig, context=target.context,
                        persist_config=False)
                    contexts, active = config.list_kube_config_contexts(target.kubeconfig)
                    chosen = next((c for c in contexts if c.get("name") == target.context),
                                  active) if target.context else active
                    ns = ((chosen or {}).get("context") or {}).get("namespace") or "default"
            except (ConfigException, OSError, ValueError, TypeError) as exc:
                where = "in-cluster config" if target.in_cluster else f"kubeconfig {target.kubeconfig}"
                raise KubernetesConfigError(
                    f"cannot load {where}"
                    + (f" (context {target.context!r})" if target.context else "") + f": {exc}",
                    hint="check the file, or pick a context with MCP_SRE_K8S_CONTEXT",
                ) from exc
            cached = _clients[key] = (api, ns)
    api, ns = cached
    return api, target.namespace or ns
