"""Spec sources of the kubernetes provider, and the ``kubeconfig:`` scheme that fetches a
connected cluster's own OpenAPI document with the host's credentials."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from mcp_sre import hookimpl
from mcp_sre.errors import SpecFetchError
from mcp_sre.specs.fetch import FetchedContent
from mcp_sre.specs.model import SpecSource
from mcp_sre.specs.sources import owned_snapshot
from mcp_sre_kubernetes.connection import (
    KubernetesConfigError,
    api_client_for,
    cluster_configured,
    resolve_target,
)

__all__ = ["CLUSTER_SCHEME", "builtin_sources", "fetch_spec_content", "register_doc_sources", "retrieval_vocabulary"]

HERE = Path(__file__).resolve().parent
CLUSTER_SCHEME = "kubeconfig:"


def builtin_sources(*, include_cluster: bool | None = None) -> list[SpecSource]:
    """The sources in ``doc_sources.yaml``; relative file URLs resolved next to it. The
    cluster's own source is included only when a cluster is configured (or when asked)."""
    entries = yaml.safe_load((HERE / "doc_sources.yaml").read_text(encoding="utf-8")) or []
    if include_cluster is None:
        include_cluster = cluster_configured()
    out = []
    for entry in entries:
        source = owned_snapshot(SpecSource.model_validate(entry), HERE)
        if source.url.startswith(CLUSTER_SCHEME) and not include_cluster:
            continue
        if "://" not in source.url and ":" not in source.url.split("/", 1)[0]:
            source = source.model_copy(update={"url": str(HERE / source.url)})
        out.append(source)
    return out


@hookimpl
def register_doc_sources(register: Callable[[SpecSource], None]) -> None:
    for source in builtin_sources():
        register(source)


@hookimpl
def fetch_spec_content(source: SpecSource, etag: str | None) -> FetchedContent | None:
    """``kubeconfig:/openapi/v2``: GET that path from the cluster of the kubeconfig context
    (``options.kubeconfig`` / ``options.context`` override the environment)."""
    if not source.url.startswith(CLUSTER_SCHEME):
        return None
    path = "/" + source.url[len(CLUSTER_SCHEME):].lstrip("/")
    context: dict[str, Any] = {"kubeconfig": source.options.get("kubeconfig"),
                               "kube_context": source.options.get("context")}
    try:
        api, _ = api_client_for(resolve_target({k: v for k, v in context.items() if v}))
    except KubernetesConfigError as exc:
        raise SpecFetchError(source.name, exc.message, hint=exc.hint) from exc
    headers = {"Accept": "application/json"}
    if etag:
        headers["If-None-Match"] = etag
    try:
        method, url, hdrs, _, _ = api.param_serialize("GET", path, header_params=headers,
                                                      auth_settings=["BearerToken"])
        resp = api.call_api(method, url, header_params=hdrs, _request_timeout=60)
        resp.read()
    except Exception as exc:  # urllib3/SSL errors: the cluster is unreachable
        raise SpecFetchError(source.name, f"cannot reach the cluster for {path}: "
                             f"{type(exc).__name__}: {exc}") from exc
    if resp.status == 304:
        return FetchedContent(url=f"{api.configuration.host}{path}", etag=etag, not_modified=True)
    if resp.status >= 400:
        raise SpecFetchError(source.name, f"HTTP {resp.status} from the cluster for {path}",
                             hint="the kubeconfig user needs 'get' on the nonResourceURL "
                             "/openapi/*" if resp.status == 403 else None)
    content = resp.data or b""
    return FetchedContent(content=content, url=f"{api.configuration.host}{path}",
                          etag=resp.getheader("etag") or hashlib.sha256(content).hexdigest())


@hookimpl
def retrieval_vocabulary() -> Path:
    """How requests name this provider's services (merged into the search vocabulary)."""
    return Path(__file__).with_name("vocab.yaml")
