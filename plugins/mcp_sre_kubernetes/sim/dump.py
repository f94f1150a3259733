"""``kubectl cluster-info dump --output-directory`` folders, read as a scenario (and written by
``mcp-sre snapshot``), so a captured cluster can be served and diagnosed later.

The layout is kubectl's (``pkg/cmd/clusterinfo/clusterinfo_dump.go``): ``nodes.json`` at the
root; per namespace ``events``, ``replication-controllers``, ``services``, ``daemonsets``,
``deployments``, ``replicasets`` and ``pods`` ``.json`` lists; ``<ns>/<pod>/logs.txt`` with one
``==== START logs for container C of pod NS/P ====`` ... ``==== END ... ====`` block per
container (init containers first). Beyond kubectl, any other ``<ns>/<plural>.json`` or root
``<plural>.json`` list adds kinds kubectl does not dump, and ``<ns>/<pod>/logs-previous.txt``
(same blocks) holds previous runs. ``.yaml`` lists (``-o yaml``) are read too. NodeMetrics and
PodMetrics lists (``nodes.metrics.k8s.io.json``, ``<ns>/pods.metrics.k8s.io.json``) become the
scenario's ``metrics`` section.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from mcp_sre_kubernetes.sim.metrics import METRICS_GROUP, MetricsSection, Usage
from mcp_sre_kubernetes.sim.scenario import ContainerLogs, Scenario, ScenarioError

__all__ = ["LOG_FILE", "PREVIOUS_LOG_FILE", "format_log_blocks", "load_dump", "parse_log_blocks"]

LOG_FILE, PREVIOUS_LOG_FILE = "logs.txt", "logs-previous.txt"
_START = re.compile(r"^==== START logs for container (\S+) of pod (\S+)/(\S+) ====\n", re.M)
_END = "==== END logs for container {c} of pod {ns}/{pod} ====\n"
# what kubectl writes in a block instead of a log it could not fetch
_LOG_ERRORS = ("Request log error: ", "Create log request error: ")
_LIST_SUFFIXES = (".json", ".yaml")


def format_log_blocks(namespace: str, pod: str, logs: dict[str, str]) -> str:
    """Container logs in kubectl's dump format (containers in the order given)."""
    out = []
    for container, text in logs.items():
        out.append(f"==== START logs for container {container} of pod {namespace}/{pod} ====\n")
        out.append(text)
        out.append(_END.format(c=container, ns=namespace, pod=pod))
    return "".join(out)


def parse_log_blocks(text: str, source: Path) -> dict[str, str | None]:
    """Container -> log text from a dump's logs file; None where kubectl recorded an error
    instead of a log (a container that never ran)."""
    out: dict[str, str | None] = {}
    pos = 0
    while True:
        m = _START.search(text, pos)
        if m is None:
            rest = text[pos:].strip()
            if rest:
                raise ScenarioError(f"{source}: text outside a '==== START logs ...' block "
                                    f"near {rest[:60]!r}")
            return out
        if text[pos:m.start()].strip():
            raise ScenarioError(f"{source}: text outside a '==== START logs ...' block "
                                f"near {text[pos:m.start()].strip()[:60]!r}")
        container, ns, pod = m.groups()
        end = _END.format(c=container, ns=ns, pod=pod)
        stop = text.find(end, m.end())
        if stop < 0:
            raise ScenarioError(f"{source}: the block for container {container!r} has no "
                                f"'==== END logs ...' line")
        body = text[m.end():stop]
        out[container] = None if body.startswith(_LOG_ERRORS) and body.count("\n") <= 1 \
            else body
        pos = stop + len(end)


def _read_list(path: Path) -> list[dict[str, Any]]:
    try:
        raw = path.read_text(encoding="utf-8")
        data = json.loads(raw) if path.suffix == ".json" else yaml.safe_load(raw)
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read: {exc}") from exc
    except (ValueError, yaml.YAMLError) as exc:
        raise ScenarioError(f"{path}: not valid {path.suffix[1:].upper()}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("items", []), list):
        raise ScenarioError(f"{path}: expected a Kubernetes List (an object with 'items')")
    list_kind, list_version = str(data.get("kind") or ""), data.get("apiVersion")
    items = []
    for i, item in enumerate(data.get("items") or []):
        if not isinstance(item, dict):
            raise ScenarioError(f"{path}: item #{i} is not an object")
        item = dict(item)
        if not item.get("kind"):
            if not list_kind.endswith("List") or list_kind == "List":
                raise ScenarioError(f"{path}: item #{i} has no kind and the list "
                                    f"({list_kind or 'no kind'}) does not name one")
            item["kind"] = list_kind[: -len("List")]
        item.setdefault("apiVersion", list_version)
        if not item.get("apiVersion") or not (item.get("metadata") or {}).get("name"):
            raise ScenarioError(f"{path}: item #{i} has no apiVersion or metadata.name")
        items.append(item)
    return items


def _lists(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in _LIST_SUFFIXES)


def _is_metrics(obj: dict[str, Any]) -> bool:
    return str(obj.get("apiVersion", "")).startswith(METRICS_GROUP + "/")


def _usage(usage: dict[str, Any] | None) -> Usage:
    return Usage(**{k: str(v) for k, v in (usage or {}).items() if k in ("cpu", "memory")})


def _metrics_section(items: list[dict[str, Any]]) -> MetricsSection | None:
    """NodeMetrics / PodMetrics objects as the scenario section the simulator serves."""
    if not items:
        return None
    section = MetricsSection(window=str(items[0].get("window") or "30s"),
                             at=items[0].get("timestamp"))
    for obj in items:
        meta = obj.get("metadata") or {}
        if obj.get("kind") == "NodeMetrics":
            section.nodes[meta["name"]] = _usage(obj.get("usage"))
        elif obj.get("kind") == "PodMetrics":
            section.pods[f"{meta.get('namespace')}/{meta['name']}"] = {
                c["name"]: _usage(c.get("usage")) for c in obj.get("containers") or []}
    return section


def load_dump(root: Path) -> Scenario:
    """Read a dump folder; every problem names the file it is in."""
    if not (root / "nodes.json").is_file() and not (root / "nodes.yaml").is_file():
        raise ScenarioError(f"{root} is not a `kubectl cluster-info dump --output-directory` "
                            "folder: it has no nodes.json",
                            hint="dump with `kubectl cluster-info dump --output-directory DIR` "
                            "or `mcp-sre snapshot --namespace NS DIR`")
    objects: list[dict[str, Any]] = []
    for path in _lists(root):
        objects += _read_list(path)
    logs: dict[str, dict[str, ContainerLogs]] = {}
    for ns_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        namespace = ns_dir.name
        for path in _lists(ns_dir):
            for item in _read_list(path):
                item["metadata"] = {**item["metadata"], "namespace": namespace}
                objects.append(item)
        for pod_dir in sorted(p for p in ns_dir.iterdir() if p.is_dir()):
            runs: dict[str, dict[str, str | None]] = {}
            for field, name in (("current", LOG_FILE), ("previous", PREVIOUS_LOG_FILE)):
                path = pod_dir / name
                if path.is_file():
                    try:
                        text = path.read_text(encoding="utf-8", errors="replace")
                    except OSError as exc:
                        raise ScenarioError(f"{path}: cannot read: {exc}") from exc
                    runs[field] = parse_log_blocks(text, path)
            containers: dict[str, ContainerLogs] = {}
            for container in {c for blocks in runs.values() for c in blocks}:
                current = runs.get("current", {}).get(container)
                previous = runs.get("previous", {}).get(container)
                if current is not None or previous is not None:
                    containers[container] = ContainerLogs(current=current or "",
                                                          previous=previous)
            if containers:
                logs[f"{namespace}/{pod_dir.name}"] = dict(sorted(containers.items()))
    metrics = _metrics_section([o for o in objects if _is_metrics(o)])
    try:
        return Scenario(name=root.name, description=f"kubectl cluster-info dump of {root}",
                        objects=[o for o in objects if not _is_metrics(o)], logs=logs,
                        metrics=metrics)
    except ValueError as exc:
        raise ScenarioError(f"{root}: {exc}") from exc
