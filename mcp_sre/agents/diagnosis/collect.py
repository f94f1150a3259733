"""Evidence collection: walk the object graph the relation rules describe, from the target out.

Objects are listed once per kind and namespace (a ~50-pod namespace costs a dozen reads) and
matched in memory. How far the walk goes depends on how an object was reached: the target and
what lies below it (``down``) follow every relation; owners (``up``) follow only owners;
neighbours (``side``: the node, claims, config, policies) follow only plain references; events
(``terminal``) are collected for every object and followed by nothing. A reference to an object
that does not exist, or a key missing from the object it names, is kept as a finding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mcp_sre.agents.diagnosis.knowledge import Knowledge, Relation
from mcp_sre.agents.diagnosis.paths import first, values
from mcp_sre.agents.diagnosis.reader import BridgeReader

__all__ = ["Graph", "Missing", "collect", "key_of", "selector_matches"]

Key = tuple[str, str, str]  # kind, namespace, name
MAX_OBJECTS = 300
MAX_DEPTH = 5


@dataclass
class Missing:
    """A reference that leads nowhere (or to an object without the named key)."""

    source: Key
    relation: str
    path: str
    kind: str
    namespace: str
    name: str
    key: str = ""


@dataclass
class Graph:
    """What the walk found."""

    objects: dict[Key, dict[str, Any]] = field(default_factory=dict)
    mode: dict[Key, str] = field(default_factory=dict)
    rel: dict[Key, dict[str, list[Key]]] = field(default_factory=dict)
    missing: list[Missing] = field(default_factory=list)
    logs: list[dict[str, Any]] = field(default_factory=list)
    operations: dict[Key, str] = field(default_factory=dict)
    listed: list[str] = field(default_factory=list)
    unavailable: set[str] = field(default_factory=set)  # kinds whose listing failed

    def of_kind(self, kind: str) -> list[Key]:
        return [k for k in self.objects if k[0] == kind]

    def related(self, key: Key) -> dict[str, list[dict[str, Any]]]:
        return {rid: [self.objects[k] for k in keys if k in self.objects]
                for rid, keys in self.rel.get(key, {}).items()}


def key_of(obj: dict[str, Any]) -> Key:
    meta = obj.get("metadata") or {}
    return (str(obj.get("kind", "")), str(meta.get("namespace") or ""), str(meta.get("name", "")))


def selector_matches(selector: Any, labels: dict[str, Any] | None) -> bool:
    """A plain map (all pairs must match; empty selects nothing) or a LabelSelector
    (``matchLabels`` + ``matchExpressions``; empty selects everything)."""
    labels = labels or {}
    if not isinstance(selector, dict):
        return False
    if "matchLabels" not in selector and "matchExpressions" not in selector:
        return bool(selector) and all(str(labels.get(k)) == str(v) for k, v in selector.items())
    for k, v in (selector.get("matchLabels") or {}).items():
        if str(labels.get(k)) != str(v):
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, vals = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In" and str(labels.get(key)) not in vals:
            return False
        if op == "NotIn" and key in labels and str(labels[key]) in vals:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


class Collector:
    """One walk; ``lister`` caches per (kind, namespace)."""

    def __init__(self, knowledge: Knowledge, reader: BridgeReader,
                 progress: Callable[[str], None] | None = None) -> None:
        self.k = knowledge
        self.reader = reader
        self.graph = Graph()
        self.progress = progress
        self._lists: dict[tuple[str, str], list[dict[str, Any]] | None] = {}

    def list(self, kind: str, namespace: str) -> list[dict[str, Any]] | None:
        spec = self.k.kind(kind)
        if spec is None:
            return None
        ns = namespace if spec.namespaced else ""
        if (kind, ns) in self._lists:
            return self._lists[(kind, ns)]
        params = {**spec.params, **({"namespace": ns} if spec.namespaced else {})}
        if self.progress:
            self.progress(f"listing {kind} {ns}".strip())
        result = self.reader.read(spec.list, params, why=f"{kind} objects related to the target")
        items: list[dict[str, Any]] | None = None
        if result.ok and isinstance(result.data, dict):
            items = []
            for item in result.data.get("items") or []:
                if isinstance(item, dict):
                    item.setdefault("kind", kind)
                    items.append(item)
                    self.graph.operations.setdefault(key_of(item), spec.list)
            self.graph.listed.append(f"{kind}{' in ' + ns if ns else ''}: {len(items)}")
        else:
            self.graph.unavailable.add(kind)
            self.graph.listed.append(f"{kind}{' in ' + ns if ns else ''}: not available "
                                     f"({result.outcome})")
        self._lists[(kind, ns)] = items
        return items

    def list_all(self, kind: str) -> list[dict[str, Any]] | None:
        """Objects of ``kind`` in every namespace (None when the kind has no such listing)."""
        spec = self.k.kind(kind)
        if spec is None or not spec.list_all:
            return None
        key = (kind, "*")
        if key not in self._lists:
            result = self.reader.read(spec.list_all, dict(spec.params),
                                      why=f"find the {kind} the question names")
            items = None
            if result.ok and isinstance(result.data, dict):
                items = [i for i in result.data.get("items") or [] if isinstance(i, dict)]
                for item in items:
                    item.setdefault("kind", kind)
                    self.graph.operations.setdefault(key_of(item), spec.list_all)
                self.graph.listed.append(f"{kind} in all namespaces: {len(items)}")
            self._lists[key] = items
        return self._lists[key]

    def find(self, kind: str, namespace: str, name: str) -> dict[str, Any] | bool | None:
        """The object, ``None`` if it does not exist, ``False`` if it cannot be seen."""
        items = self.list(kind, namespace)
        if items is None:
            return False
        return next((o for o in items if (o.get("metadata") or {}).get("name") == name), None)

    # ---------------------------------------------------------------------------- the walk
    def add(self, obj: dict[str, Any], mode: str) -> Key:
        key = key_of(obj)
        if key not in self.objects_or_none():
            self.graph.objects[key] = obj
            self.graph.mode[key] = mode
        return key

    def objects_or_none(self) -> dict[Key, dict[str, Any]]:
        return self.graph.objects

    def walk(self, start: list[dict[str, Any]]) -> Graph:
        queue = [(self.add(obj, "down"), 0) for obj in start]
        seen: set[Key] = set()
        while queue:
            key, depth = queue.pop(0)
            if key in seen or len(self.graph.objects) > MAX_OBJECTS:
                continue
            seen.add(key)
            mode = self.graph.mode[key]
            for relation in self.k.relations:
                if not self._applies(relation, key[0], mode):
                    continue
                self.graph.rel.setdefault(key, {}).setdefault(relation.id, [])  # evaluated
                for found in self._follow(relation, key):
                    self.graph.rel.setdefault(key, {}).setdefault(relation.id, []).append(
                        self.add(found, relation.direction))
                    fkey = key_of(found)
                    if relation.direction != "terminal" and depth + 1 < MAX_DEPTH:
                        queue.append((fkey, depth + 1))
        return self.graph

    @staticmethod
    def _applies(relation: Relation, kind: str, mode: str) -> bool:
        if "*" not in relation.from_ and kind not in relation.from_:
            return False
        if relation.direction == "terminal" or mode == "down":
            return True
        if mode == "up":
            return relation.direction == "up"
        if mode == "side":
            return relation.type == "ref" and relation.direction != "up"
        return False

    def _follow(self, rel: Relation, key: Key) -> list[dict[str, Any]]:
        obj = self.graph.objects[key]
        kind, ns, name = key
        out: list[dict[str, Any]] = []
        if rel.type == "ref":
            for item in values(obj, rel.path):
                target_kind = str(first(item, rel.kind_field)) if rel.kind_field else \
                    (rel.to[0] if len(rel.to) == 1 else "")
                target = str(first(item, rel.name_field)) if rel.name_field else str(item)
                if not target_kind or (target_kind not in rel.to and "*" not in rel.to) or \
                        self.k.kind(target_kind) is None or not target or target == "None":
                    continue
                tns = str(first(item, rel.namespace_field) or ns) if rel.namespace_field else ns
                found = self.find(target_kind, tns, target)
                if found is False:
                    continue
                spec = self.k.kind(target_kind)
                where = tns if spec and spec.namespaced else ""
                if found is None:
                    if rel.missing:
                        self.graph.missing.append(Missing(key, rel.id, rel.path, target_kind,
                                                          where, target))
                    continue
                out.append(found)
                want = str(first(item, rel.key_field) or "") if rel.key_field else ""
                if want and not any(isinstance(v, dict) and want in v
                                    for p in rel.keys_in for v in values(found, p)):
                    self.graph.missing.append(Missing(key, rel.id, rel.path, target_kind,
                                                      where, target, want))
            return out
        for to in rel.to:
            spec = self.k.kind(to)
            if spec is None or (spec.namespaced and not ns):
                continue  # e.g. events of cluster-scoped objects: not per namespace
            items = self.list(to, ns) or []
            for other in items:
                if rel.type == "referenced_by":
                    for ref in values(other, rel.path):
                        rkind = str(first(ref, rel.kind_field)) if rel.kind_field else kind
                        rname = str(first(ref, rel.name_field)) if rel.name_field else str(ref)
                        if rkind == kind and rname == name:
                            out.append(other)
                            break
                elif rel.type == "selects":
                    if selector_matches(first(obj, rel.path), first(other, rel.labels)):
                        out.append(other)
                elif rel.type == "selected_by" and selector_matches(
                        first(other, rel.path), first(obj, rel.labels)):
                    out.append(other)
        return out

    # ---------------------------------------------------------------------------- logs
    def read_logs(self) -> None:
        cfg = self.k.logs
        if not cfg:
            return
        kind = str(cfg.get("kind", ""))
        pods = [k for k in self.graph.of_kind(kind) if self.graph.mode.get(k) == "down"]
        pods.sort(key=lambda k: -self._trouble(self.graph.objects[k]))
        for key in pods[: int(cfg.get("max_objects", 6))]:
            obj = self.graph.objects[key]
            paths = cfg.get("containers") or []
            for container in [c for p in ([paths] if isinstance(paths, str) else paths)
                              for c in values(obj, str(p))]:
                facts = {"container": container}
                restarts = first(obj, str(cfg.get("restarts", "")), facts) or 0
                runs = [False, True] if float(restarts or 0) > 0 else [False]
                for previous in runs:
                    params = {"name": key[2], **cfg.get("params", {}),
                              str(cfg.get("container_param", "container")): container}
                    if key[1]:
                        params["namespace"] = key[1]
                    if previous:
                        params[str(cfg.get("previous_param", "previous"))] = True
                    why = f"{'previous' if previous else 'current'} log of {container}"
                    result = self.reader.read(str(cfg["operation"]), params, why=why)
                    if result.ok and isinstance(result.data, str) and result.data.strip():
                        self.graph.logs.append({"object": key, "container": container,
                                                "previous": previous, "text": result.data,
                                                "restarts": float(restarts or 0),
                                                "operation": result.operation,
                                                "time": result.time})

    def _trouble(self, obj: dict[str, Any]) -> float:
        cfg = self.k.logs
        score = sum(float(v or 0) for v in values(obj, str(cfg.get("restart_total", ""))))
        if not any(str(v) == "True" for v in values(obj, str(cfg.get("ready", "")))):
            score += 100
        return score


def collect(knowledge: Knowledge, reader: BridgeReader, start: list[dict[str, Any]],
            progress: Callable[[str], None] | None = None,
            collector: Collector | None = None) -> tuple[Graph, Collector]:
    """Walk from ``start`` and read the logs (``collector`` keeps lists already read)."""
    collector = collector or Collector(knowledge, reader, progress)
    graph = collector.walk(start)
    collector.read_logs()
    return graph, collector
