"""REST routes and API resources of a Kubernetes API server, derived from its swagger document.

The simulator serves whatever the swagger describes: every path template becomes a route, and
every ``/api/v1/...`` or ``/apis/<group>/<version>/...`` path names a resource (plural, scope,
subresource). Kinds come from ``x-kubernetes-group-version-kind`` and verbs from
``x-kubernetes-action``. No resource is listed by hand.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

__all__ = [
    "APIResource",
    "Route",
    "RouteOp",
    "RouteTable",
    "load_swagger",
    "version_priority",
]

# x-kubernetes-action -> discovery verb
_ACTION_VERBS = {
    "get": "get",
    "list": "list",
    "watch": "watch",
    "watchlist": "watch",
    "post": "create",
    "put": "update",
    "patch": "patch",
    "delete": "delete",
    "deletecollection": "deletecollection",
}
# connect actions are named by HTTP method in discovery (pods/exec: create, get)
_CONNECT_VERBS = {"get": "get", "post": "create", "put": "update", "patch": "patch",
                  "delete": "delete"}
_TAIL_PARAMS = {"{path}", "{logpath}"}


@dataclass(frozen=True)
class RouteOp:
    """One operation of a route: what the swagger says a method on this path does."""

    operation_id: str
    action: str | None
    kind: str = ""
    group: str = ""
    version: str = ""


@dataclass
class Route:
    """A path template and the operations on it, with the resource it addresses (if any)."""

    template: str
    segments: tuple[str, ...]
    operations: dict[str, RouteOp] = field(default_factory=dict)
    group: str | None = None
    version: str | None = None
    plural: str | None = None
    namespaced: bool = False
    has_name: bool = False
    subresource: str | None = None
    watch: bool = False

    @property
    def literal_count(self) -> int:
        return sum(1 for s in self.segments if not s.startswith("{"))


@dataclass
class APIResource:
    """A served resource (``pods``, ``deployments``...) as discovery describes it."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    verbs: set[str] = field(default_factory=set)
    subresources: dict[str, tuple[str, str, str, set[str]]] = field(default_factory=dict)
    short_names: list[str] = field(default_factory=list)

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.group, self.version, self.plural)


def version_priority(version: str) -> tuple[int, int, int]:
    """Order versions the way Kubernetes picks a preferred one: GA > beta > alpha, then number."""
    m = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", version)
    if not m:
        return (0, 0, 0)
    stage = {"alpha": 1, "beta": 2}.get(m.group(2) or "", 3)
    return (stage, int(m.group(1)), int(m.group(3) or 0))


def load_swagger(path: str | Path) -> dict[str, Any]:
    with open(path, "rb") as fh:
        doc = json.load(fh)
    if not isinstance(doc, dict) or "paths" not in doc:
        raise ValueError(f"{path} is not a swagger document (no 'paths')")
    return doc


class RouteTable:
    """All routes of one swagger document, matched against request paths."""

    def __init__(self, routes: list[Route]) -> None:
        self.routes = routes
        self._by_len: dict[int, list[Route]] = {}
        self._tail: list[Route] = []
        for route in routes:
            if route.segments and route.segments[-1] in _TAIL_PARAMS:
                self._tail.append(route)
            self._by_len.setdefault(len(route.segments), []).append(route)
        for bucket in self._by_len.values():
            bucket.sort(key=lambda r: -r.literal_count)
        self._tail.sort(key=lambda r: -r.literal_count)
        self.resources: dict[tuple[str, str, str], APIResource] = {}
        self._index_resources()

    @classmethod
    def from_swagger(cls, doc: dict[str, Any]) -> RouteTable:
        routes = []
        for template, item in sorted(doc.get("paths", {}).items()):
            if not isinstance(item, dict):
                continue
            route = _parse_template(template)
            for method, op in item.items():
                if method == "parameters" or not isinstance(op, dict):
                    continue
                gvk = op.get("x-kubernetes-group-version-kind") or {}
                route.operations[method.lower()] = RouteOp(
                    operation_id=str(op.get("operationId", "")),
                    action=op.get("x-kubernetes-action"),
                    kind=str(gvk.get("kind", "")),
                    group=str(gvk.get("group", "")),
                    version=str(gvk.get("version", "")),
                )
            routes.append(route)
        return cls(routes)

    # ---------------------------------------------------------------------------------------

    def _index_resources(self) -> None:
        namespaced: set[tuple[str, str, str]] = set()
        for route in self.routes:
            if route.plural is None or route.group is None or route.version is None:
                continue
            key = (route.group, route.version, route.plural)
            if route.namespaced:
                namespaced.add(key)
            if route.subresource is None:
                kind = next((op.kind for op in route.operations.values()
                             if op.action in ("get", "list") and op.kind), "")
                res = self.resources.get(key)
                if res is None:
                    res = self.resources[key] = APIResource(route.group, route.version,
                                                            route.plural, kind, False)
                if kind and not res.kind:
                    res.kind = kind
                for op in route.operations.values():
                    verb = _ACTION_VERBS.get(op.action or "")
                    if verb:
                        res.verbs.add(verb)
        for route in self.routes:
            if route.subresource is None or route.plural is None or route.version is None:
                continue
            res = self.resources.get((route.group or "", route.version, route.plural))
            if res is None:
                continue
            for method, op in route.operations.items():
                verb = (_CONNECT_VERBS.get(method) if op.action == "connect"
                        else _ACTION_VERBS.get(op.action or ""))
                entry = res.subresources.setdefault(
                    route.subresource, (op.kind, op.group, op.version, set()))
                if verb:
                    entry[3].add(verb)
        for key in namespaced:
            if key in self.resources:
                self.resources[key].namespaced = True

    def add_resource(self, res: APIResource) -> None:
        """Serve a resource the swagger does not describe (a CRD loaded from a scenario, the
        metrics API); only the verbs it lists get methods."""
        self.resources[res.key] = res
        prefix = ("apis", res.group, res.version)
        ops = {"get": RouteOp("", "list", res.kind, res.group, res.version)}
        item = {method: RouteOp("", action, res.kind, res.group, res.version)
                for method, action in (("get", "get"), ("delete", "delete"),
                                       ("patch", "patch"), ("put", "put"))
                if _ACTION_VERBS[action] in res.verbs}
        shapes = [((res.plural,), ops, False), ((res.plural, "{name}"), item, True)]
        if res.namespaced:
            shapes = [(("namespaces", "{namespace}", *segs), o, n) for segs, o, n in shapes] + [
                ((res.plural,), {"get": RouteOp("", "list", res.kind, res.group, res.version)},
                 False)]
        for segs, operations, has_name in shapes:
            segments = (*prefix, *segs)
            route = Route("/" + "/".join(segments), segments, dict(operations), res.group,
                          res.version, res.plural, "{namespace}" in segs, has_name)
            self.routes.append(route)
            bucket = self._by_len.setdefault(len(segments), [])
            bucket.append(route)
            bucket.sort(key=lambda r: -r.literal_count)

    def resource_for_kind(self, group: str, version: str, kind: str) -> APIResource | None:
        for res in self.resources.values():
            if res.group == group and res.version == version and res.kind == kind:
                return res
        return None

    def group_versions(self) -> dict[str, list[str]]:
        """``{group: [versions, preferred first]}``; the core group is ``""``."""
        out: dict[str, set[str]] = {}
        for res in self.resources.values():
            out.setdefault(res.group, set()).add(res.version)
        return {g: sorted(vs, key=version_priority, reverse=True) for g, vs in sorted(out.items())}

    def match(self, path: str) -> tuple[Route, dict[str, str]] | None:
        """Find the route for a request path; returns the route and its path parameters."""
        parts = [unquote(p) for p in path.strip("/").split("/")] if path.strip("/") else []
        for route in self._by_len.get(len(parts), []):
            params = _match_segments(route.segments, parts)
            if params is not None:
                return route, params
        for route in self._tail:
            head = route.segments[:-1]
            if len(parts) <= len(head):
                continue
            params = _match_segments(head, parts[: len(head)])
            if params is not None:
                params[route.segments[-1][1:-1]] = "/".join(parts[len(head):])
                return route, params
        return None


def _match_segments(template: tuple[str, ...], parts: list[str]) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for seg, part in zip(template, parts, strict=True):
        if seg.startswith("{"):
            if not part:
                return None
            params[seg[1:-1]] = part
        elif seg != part:
            return None
    return params


def _parse_template(template: str) -> Route:
    segments = tuple(s for s in template.strip("/").split("/") if s)
    route = Route(template=template, segments=segments)
    if not segments or segments[0] not in ("api", "apis"):
        return route
    if segments[0] == "api":
        group, rest = "", list(segments[1:])
    else:
        group, rest = (segments[1] if len(segments) > 1 else None), list(segments[2:])
    if group is None or not rest:
        return route
    version, rest = rest[0], rest[1:]
    route.group, route.version = group, version
    if not rest:
        return route
    if rest[0] == "watch":
        route.watch, rest = True, rest[1:]
    if len(rest) >= 3 and rest[0] == "namespaces" and rest[1] == "{namespace}":
        route.namespaced, rest = True, rest[2:]
    if not rest:
        return route
    route.plural = rest[0]
    route.has_name = len(rest) > 1
    sub = [s for s in rest[2:] if s not in _TAIL_PARAMS]
    route.subresource = "/".join(sub) or None
    return route
