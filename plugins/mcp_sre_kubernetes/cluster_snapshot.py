"""``mcp-sre snapshot``: capture namespaces of a live cluster as a replayable folder.

The folder has the layout of ``kubectl cluster-info dump --output-directory`` (see
:mod:`mcp_sre_kubernetes.sim.dump`), plus lists of the kinds kubectl does not dump and previous
container logs (custom resources too, with their definitions), so
``mcp-sre k8s-sim --scenario DIR`` serves it and a diagnosis can run on it
later. Every request is a GET. Secret values are never written: a Secret keeps its name, type
and keys, each value emptied, and the annotation that ``kubectl apply`` copies them into is
dropped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from pydantic import BaseModel, Field

from mcp_sre.config import atomic_write
from mcp_sre.errors import McpSreError
from mcp_sre_kubernetes.connection import api_client_for, resolve_target
from mcp_sre_kubernetes.sim.dump import LOG_FILE, PREVIOUS_LOG_FILE, format_log_blocks

__all__ = ["SnapshotError", "SnapshotReport", "redact_secret", "snapshot", "take_snapshot"]

REDACTED = "mcp-sre.io/values-redacted"
_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
# (file stem, API path prefix, plural): kubectl's own files first, then the extra kinds
_NAMESPACED = [
    ("events", "/api/v1", "events"),
    ("replication-controllers", "/api/v1", "replicationcontrollers"),
    ("services", "/api/v1", "services"),
    ("daemonsets", "/apis/apps/v1", "daemonsets"),
    ("deployments", "/apis/apps/v1", "deployments"),
    ("replicasets", "/apis/apps/v1", "replicasets"),
    ("pods", "/api/v1", "pods"),
    ("statefulsets", "/apis/apps/v1", "statefulsets"),
    ("jobs", "/apis/batch/v1", "jobs"),
    ("cronjobs", "/apis/batch/v1", "cronjobs"),
    ("configmaps", "/api/v1", "configmaps"),
    ("secrets", "/api/v1", "secrets"),
    ("serviceaccounts", "/api/v1", "serviceaccounts"),
    ("persistentvolumeclaims", "/api/v1", "persistentvolumeclaims"),
    ("endpoints", "/api/v1", "endpoints"),
    ("endpointslices", "/apis/discovery.k8s.io/v1", "endpointslices"),
    ("ingresses", "/apis/networking.k8s.io/v1", "ingresses"),
    ("networkpolicies", "/apis/networking.k8s.io/v1", "networkpolicies"),
    ("horizontalpodautoscalers", "/apis/autoscaling/v2", "horizontalpodautoscalers"),
    ("poddisruptionbudgets", "/apis/policy/v1", "poddisruptionbudgets"),
    ("resourcequotas", "/api/v1", "resourcequotas"),
    ("limitranges", "/api/v1", "limitranges"),
    ("pods.metrics.k8s.io", "/apis/metrics.k8s.io/v1beta1", "pods"),
]
_CLUSTER = [
    ("nodes", "/api/v1", "nodes"),
    ("persistentvolumes", "/api/v1", "persistentvolumes"),
    ("storageclasses", "/apis/storage.k8s.io/v1", "storageclasses"),
    ("nodes.metrics.k8s.io", "/apis/metrics.k8s.io/v1beta1", "nodes"),
]
_OPTIONAL = {404}  # an API the cluster does not serve (no metrics-server, an old version)
_SKIPPABLE = {401, 403, 404}


class SnapshotError(McpSreError):
    """The cluster could not be read, or the output folder cannot be used."""


class SnapshotReport(BaseModel):
    """What a snapshot wrote and what it had to leave out."""

    out_dir: str = Field(description="Folder written")
    objects: int = Field(description="Objects written across all lists")
    logs: int = Field(description="Container logs written (current and previous runs)")
    skipped: list[str] = Field(default_factory=list,
                               description="Lists or logs not written, with the reason")
    secrets_redacted: int = Field(default=0, description="Secrets written with values emptied")


class _Reader:
    """GET requests through an authenticated ``kubernetes`` ApiClient."""

    def __init__(self, api: Any) -> None:
        self.api = api

    def get(self, path: str, query: list[tuple[str, str]] | None = None,
            text: bool = False) -> tuple[int, bytes]:
        headers = {"Accept": "text/plain, application/json" if text else "application/json"}
        try:
            method, url, hdrs, _, _ = self.api.param_serialize(
                "GET", path, query_params=query or None, header_params=headers,
                auth_settings=["BearerToken"])
            resp = self.api.call_api(method, url, header_params=hdrs, _request_timeout=60)
            return resp.status, resp.read() or b""
        except Exception as exc:  # urllib3 connection, TLS and timeout errors
            host = getattr(self.api.configuration, "host", "the cluster")
            raise SnapshotError(f"cannot read {path} from {host}: {type(exc).__name__}: "
                                f"{exc}") from exc


def _message(status: int, body: bytes) -> str:
    try:
        return str(json.loads(body).get("message") or status)
    except (ValueError, AttributeError):
        return body.decode("utf-8", "replace").strip()[:200] or str(status)


def redact_secret(secret: dict[str, Any]) -> dict[str, Any]:
    """A Secret with its keys kept and every value emptied."""
    out = {k: v for k, v in secret.items() if k not in ("data", "stringData")}
    keys = sorted({*(secret.get("data") or {}), *(secret.get("stringData") or {})})
    out["data"] = dict.fromkeys(keys, "")
    meta = dict(out.get("metadata") or {})
    annotations = {k: v for k, v in (meta.get("annotations") or {}).items() if k != _LAST_APPLIED}
    annotations[REDACTED] = "true"
    meta["annotations"] = annotations
    out["metadata"] = meta
    return out


def _write_json(path: Path, data: Any) -> None:
    atomic_write(path, json.dumps(data, indent=4, ensure_ascii=False) + "\n")


def _container_logs(reader: _Reader, ns: str, pod: dict[str, Any], tail: int | None,
                    previous: bool) -> dict[str, str]:
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    restarted = {s.get("name") for s in (status.get("containerStatuses") or [])
                 + (status.get("initContainerStatuses") or [])
                 if s.get("restartCount") or (s.get("lastState") or {}).get("terminated")}
    name = pod["metadata"]["name"]
    out: dict[str, str] = {}
    for container in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        cname = container.get("name")
        if previous and cname not in restarted:
            continue
        query = [("container", cname)]
        if previous:
            query.append(("previous", "true"))
        if tail is not None:
            query.append(("tailLines", str(tail)))
        code, body = reader.get(f"/api/v1/namespaces/{ns}/pods/{name}/log", query, text=True)
        out[cname] = body.decode("utf-8", "replace") if code < 400 else \
            f"Request log error: {_message(code, body)}\n"
    return out


def _served_version(crd: dict[str, Any]) -> tuple[str, str, str] | None:
    """(group, storage-or-first-served version, plural) of a namespaced custom resource."""
    spec = crd.get("spec") or {}
    if spec.get("scope") != "Namespaced":
        return None
    served = [v for v in spec.get("versions") or [] if v.get("served", True)]
    if not served:
        return None
    version = next((v for v in served if v.get("storage")), served[0])
    return spec.get("group", ""), version.get("name", ""), (spec.get("names") or {}).get(
        "plural", "")


def take_snapshot(api: Any, namespaces: list[str], out_dir: Path,
                  tail: int | None = None) -> SnapshotReport:
    """Write the dump folder for ``namespaces`` from the cluster ``api`` talks to."""
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise SnapshotError(f"{out_dir} exists and is not an empty folder",
                            hint="pick a new folder; a snapshot never mixes with old files")
    reader = _Reader(api)
    report = SnapshotReport(out_dir=str(out_dir), objects=0, logs=0)

    def fetch(stem: str, path: str, target: Path) -> list[dict[str, Any]]:
        code, body = reader.get(path)
        if code >= 400:
            if code not in _SKIPPABLE:
                raise SnapshotError(f"GET {path}: {code} {_message(code, body)}")
            if code not in _OPTIONAL or stem in ("nodes", "pods", "events"):
                report.skipped.append(f"{target.name}: {code} {_message(code, body)}")
            return []
        data = json.loads(body)
        if stem == "secrets":
            data["items"] = [redact_secret(s) for s in data.get("items") or []]
            report.secrets_redacted += len(data["items"])
        _write_json(target, data)
        report.objects += len(data.get("items") or [])
        return list(data.get("items") or [])

    for stem, prefix, plural in _CLUSTER:
        fetch(stem, f"{prefix}/{plural}", out_dir / f"{stem}.json")
    custom = [_served_version(crd) for crd in fetch(
        "customresourcedefinitions", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        out_dir / "customresourcedefinitions.json")]
    found = []
    for ns in namespaces:
        code, body = reader.get(f"/api/v1/namespaces/{ns}")
        if code == 404:
            raise SnapshotError(f"namespace {ns!r} not found")
        if code < 400:
            found.append(json.loads(body))
        for stem, prefix, plural in _NAMESPACED:
            items = fetch(stem, f"{prefix}/namespaces/{ns}/{plural}",
                          out_dir / ns / f"{stem}.json")
            if stem != "pods":
                continue
            for group, version, plural in (c for c in custom if c):
                fetch(f"{plural}.{group}", f"/apis/{group}/{version}/namespaces/{ns}/{plural}",
                      out_dir / ns / f"{plural}.{group}.json")
            for pod in items:
                pod_dir = out_dir / ns / pod["metadata"]["name"]
                for previous, file in ((False, LOG_FILE), (True, PREVIOUS_LOG_FILE)):
                    logs = _container_logs(reader, ns, pod, tail, previous)
                    if logs or not previous:
                        atomic_write(pod_dir / file,
                                     format_log_blocks(ns, pod["metadata"]["name"], logs))
                    report.logs += sum(1 for t in logs.values()
                                       if not t.startswith("Request log error: "))
    if found:
        _write_json(out_dir / "namespaces.json",
                    {"kind": "NamespaceList", "apiVersion": "v1", "metadata": {},
                     "items": [{k: v for k, v in n.items() if k not in ("kind", "apiVersion")}
                               for n in found]})
    return report


@click.command(name="snapshot")
@click.option("--namespace", "-n", "namespaces", multiple=True, required=True,
              help="Namespace to capture (repeat, or comma-separate, for more).")
@click.option("--kubeconfig", type=click.Path(exists=True, dir_okay=False),
              help="Kubeconfig (default: KUBECONFIG, then ~/.kube/config).")
@click.option("--context", "kube_context", help="Kubeconfig context (default: current).")
@click.option("--tail", type=click.IntRange(0), default=None,
              help="Keep only the last N lines of each container log.")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
def snapshot(namespaces: tuple[str, ...], kubeconfig: str | None, kube_context: str | None,
             tail: int | None, out_dir: Path) -> None:
    """Write the --namespace namespaces of a live cluster to OUT_DIR as a replayable dump.

    The folder has `kubectl cluster-info dump --output-directory` layout plus the kinds
    kubectl leaves out and previous container logs; serve it with
    `mcp-sre k8s-sim --scenario OUT_DIR`. Secret values are never written (keys only).
    """
    wanted = [n.strip() for raw in namespaces for n in raw.split(",") if n.strip()]
    try:
        api, _ = api_client_for(resolve_target({"kubeconfig": kubeconfig,
                                                "kube_context": kube_context}))
        report = take_snapshot(api, wanted, out_dir, tail)
    except McpSreError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"snapshot: {report.objects} objects and {report.logs} container logs of "
               f"{', '.join(wanted)} written to {out_dir} ({report.secrets_redacted} secrets "
               "with values removed)", err=True)
    for line in report.skipped:
        click.echo(f"snapshot: skipped {line}", err=True)
