"""Request dispatch of the simulated API server: one pure function from request to response.

Discovery (``/api``, ``/apis``, ``/version``, ``/openapi/v2``) is generated from the route table;
every other path is matched against the swagger's path templates and handled by its
``x-kubernetes-action``. Failures are ``Status`` objects with the real reasons and codes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from mcp_sre_kubernetes.sim.logs import LogOptions
from mcp_sre_kubernetes.sim.openapi import openapi_document
from mcp_sre_kubernetes.sim.patch import apply_patch
from mcp_sre_kubernetes.sim.routes import APIResource, Route, RouteTable
from mcp_sre_kubernetes.sim.state import ClusterState
from mcp_sre_kubernetes.sim.status import ApiStatusError, status_object
from mcp_sre_kubernetes.sim.table import to_table, wants_table

__all__ = ["SimAPI", "SimRequest", "SimResponse"]

KUBE_VERSION = {"major": "1", "minor": "36", "gitVersion": "v1.36.0", "gitCommit": "mcp-sre-sim",
                "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.24",
                "compiler": "gc", "platform": "linux/amd64"}
_PUBLIC = {"/healthz", "/livez", "/readyz", "/version"}
# Discovery facts the swagger does not carry: kubectl's short names and the "all" category.
_SHORT_NAMES = {
    "": {"pods": ["po"], "services": ["svc"], "namespaces": ["ns"], "nodes": ["no"],
         "events": ["ev"], "configmaps": ["cm"], "persistentvolumeclaims": ["pvc"],
         "persistentvolumes": ["pv"], "serviceaccounts": ["sa"], "endpoints": ["ep"],
         "replicationcontrollers": ["rc"], "resourcequotas": ["quota"], "limitranges": ["limits"]},
    "apps": {"deployments": ["deploy"], "replicasets": ["rs"], "statefulsets": ["sts"],
             "daemonsets": ["ds"]},
    "batch": {"cronjobs": ["cj"]},
    "autoscaling": {"horizontalpodautoscalers": ["hpa"]},
    "networking.k8s.io": {"ingresses": ["ing"], "networkpolicies": ["netpol"]},
    "policy": {"poddisruptionbudgets": ["pdb"]},
    "storage.k8s.io": {"storageclasses": ["sc"]},
    "apiextensions.k8s.io": {"customresourcedefinitions": ["crd", "crds"]},
}
_CATEGORY_ALL = {("", "pods"), ("", "services"), ("", "replicationcontrollers"),
                 ("apps", "deployments"), ("apps", "replicasets"), ("apps", "statefulsets"),
                 ("apps", "daemonsets"), ("batch", "jobs"), ("batch", "cronjobs"),
                 ("autoscaling", "horizontalpodautoscalers")}
_OBJECT_SUBRESOURCES = {None, "status", "ephemeralcontainers", "resize", "approval"}
_TRUE = {"true", "1"}


@dataclass
class SimRequest:
    """An HTTP request as the simulator sees it."""

    method: str
    path: str
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def param(self, name: str) -> str | None:
        values = parse_qs(self.query, keep_blank_values=True).get(name)
        return values[-1] if values else None

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), "")


@dataclass
class SimResponse:
    """Status code, content type and body."""

    code: int
    body: bytes
    content_type: str = "application/json"

    @classmethod
    def json(cls, code: int, data: Any, content_type: str = "application/json") -> SimResponse:
        return cls(code, json.dumps(data).encode(), content_type)


def _int_param(req: SimRequest, name: str) -> int | None:
    raw = req.param(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise ApiStatusError(400, "BadRequest", f"invalid {name}: {raw!r} is not an integer") \
            from None


class SimAPI:
    """Answers requests for one :class:`ClusterState` with the paths of one swagger."""

    def __init__(self, state: ClusterState, swagger_bytes: bytes, token: str | None,
                 server_address: Callable[[], str] = lambda: "127.0.0.1") -> None:
        self.state = state
        self.routes: RouteTable = state.routes
        self.swagger_bytes = swagger_bytes
        self._openapi: bytes | None = None
        self.token = token
        self.server_address = server_address

    def handle(self, req: SimRequest) -> SimResponse:
        try:
            return self._handle(req)
        except ApiStatusError as exc:
            return SimResponse.json(exc.code, exc.to_status())

    # ---------------------------------------------------------------------------------------

    def _handle(self, req: SimRequest) -> SimResponse:
        path = "/" + req.path.strip("/")
        if (self.token and path not in _PUBLIC
                and req.header("Authorization") != f"Bearer {self.token}"):
            raise ApiStatusError(401, "Unauthorized", "Unauthorized")
        discovery = self._discovery(path)
        if discovery is not None:
            if req.method not in ("GET", "HEAD"):
                raise ApiStatusError(405, "MethodNotAllowed",
                                     "the server does not allow this method on the requested "
                                     "resource")
            return discovery
        found = self.routes.match(path)
        if found is None:
            raise ApiStatusError(404, "NotFound", "the server could not find the requested resource",
                                 {"causes": [{"reason": "UnexpectedServerResponse",
                                              "message": "404 page not found"}]})
        route, params = found
        op = route.operations.get(req.method.lower())
        if op is None:
            raise ApiStatusError(405, "MethodNotAllowed",
                                 "the server does not allow this method on the requested resource")
        if route.plural is None or route.version is None:
            raise ApiStatusError(404, "NotFound", "the server could not find the requested resource")
        res = self.routes.resources.get((route.group or "", route.version, route.plural))
        if res is None:
            raise ApiStatusError(404, "NotFound", f"resource {route.plural} is not served")
        namespace = params.get("namespace")
        name = params.get("name")
        action = op.action
        if action == "get" and name is None:
            action = "list"
        if action == "list" and (req.param("watch") or "").lower() in _TRUE:
            action = "watchlist"
        verb = {"watchlist": "watch", "post": "create", "put": "update"}.get(action or "", action)
        self.state.check_access(str(verb), res, namespace, route.subresource)
        if action in ("list",):
            return self._list(req, res, namespace)
        if action in ("watch", "watchlist"):
            return self._watch(req, res, namespace, name)
        if action == "get":
            return self._get(req, res, route, namespace, str(name))
        if action == "connect":
            raise ApiStatusError(400, "BadRequest", f"{route.subresource} needs a streaming "
                                 "connection (Upgrade request required); the simulator has none")
        return self._write(req, res, route, str(action), namespace, name)

    # -- discovery --------------------------------------------------------------------------

    def _discovery(self, path: str) -> SimResponse | None:
        if path in ("/healthz", "/livez", "/readyz"):
            return SimResponse(200, b"ok", "text/plain")
        if path == "/version":
            return SimResponse.json(200, KUBE_VERSION)
        if path == "/openapi/v2":
            if self._openapi is None:
                self._openapi = openapi_document(self.swagger_bytes, self.state.custom)
            return SimResponse(200, self._openapi)
        if path == "/":
            paths = sorted({"/api", "/apis", "/version", "/openapi/v2", "/healthz", "/api/v1"}
                           | {f"/apis/{g}" for g in self.routes.group_versions() if g}
                           | {f"/apis/{g}/{v}" for g, vs in self.routes.group_versions().items()
                              if g for v in vs})
            return SimResponse.json(200, {"paths": paths})
        groups = self.routes.group_versions()
        if path == "/api":
            return SimResponse.json(200, {
                "kind": "APIVersions", "versions": groups.get("", []),
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                                "serverAddress": self.server_address()}]})
        if path == "/apis":
            return SimResponse.json(200, {"kind": "APIGroupList", "apiVersion": "v1",
                                          "groups": [self._group(g, vs)
                                                     for g, vs in groups.items() if g]})
        parts = path.strip("/").split("/")
        if parts[0] == "apis" and len(parts) == 2 and parts[1] in groups:
            return SimResponse.json(200, {"kind": "APIGroup", "apiVersion": "v1",
                                          **self._group(parts[1], groups[parts[1]])})
        if parts[0] == "api" and len(parts) == 2 and parts[1] in groups.get("", []):
            return SimResponse.json(200, self._resource_list("", parts[1]))
        if (parts[0] == "apis" and len(parts) == 3 and parts[1] in groups
                and parts[2] in groups[parts[1]]):
            return SimResponse.json(200, self._resource_list(parts[1], parts[2]))
        return None

    @staticmethod
    def _group(group: str, versions: list[str]) -> dict[str, Any]:
        gvs = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
        return {"name": group, "versions": gvs, "preferredVersion": gvs[0]}

    def _resource_list(self, group: str, version: str) -> dict[str, Any]:
        resources = []
        for res in sorted(self.routes.resources.values(), key=lambda r: r.plural):
            if res.group != group or res.version != version:
                continue
            entry: dict[str, Any] = {"name": res.plural, "singularName": res.kind.lower(),
                                     "namespaced": res.namespaced, "kind": res.kind,
                                     "verbs": sorted(res.verbs)}
            short = res.short_names or _SHORT_NAMES.get(res.group, {}).get(res.plural)
            if short:
                entry["shortNames"] = short
            if (res.group, res.plural) in _CATEGORY_ALL:
                entry["categories"] = ["all"]
            resources.append(entry)
            for sub, (kind, sub_group, sub_version, verbs) in sorted(res.subresources.items()):
                sub_entry = {"name": f"{res.plural}/{sub}", "singularName": "",
                             "namespaced": res.namespaced, "kind": kind, "verbs": sorted(verbs)}
                if (sub_group, sub_version) != (group, version) and sub_version:
                    sub_entry.update(group=sub_group, version=sub_version)
                resources.append(sub_entry)
        gv = f"{group}/{version}" if group else version
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
                "resources": resources}

    # -- reads ------------------------------------------------------------------------------

    def _typed(self, res: APIResource, obj: dict[str, Any]) -> dict[str, Any]:
        return {"apiVersion": res.group_version, "kind": res.kind,
                **{k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}}

    def _list(self, req: SimRequest, res: APIResource, namespace: str | None) -> SimResponse:
        result = self.state.list(
            res, namespace, label=req.param("labelSelector"), field=req.param("fieldSelector"),
            limit=_int_param(req, "limit"), cont=req.param("continue"),
            rv=req.param("resourceVersion"), rv_match=req.param("resourceVersionMatch"))
        items = [{k: v for k, v in o.items() if k not in ("apiVersion", "kind")}
                 for o in result.items]
        if wants_table(req.header("Accept")):
            return SimResponse.json(200, to_table(items, res.kind, result.metadata))
        return SimResponse.json(200, {"kind": f"{res.kind}List", "apiVersion": res.group_version,
                                      "metadata": result.metadata, "items": items})

    def _watch(self, req: SimRequest, res: APIResource, namespace: str | None,
               name: str | None) -> SimResponse:
        """Send the events a watch would start with, then end the stream (no live updates)."""
        field_sel = req.param("fieldSelector") or ""
        if name:
            field_sel = ",".join(filter(None, [field_sel, f"metadata.name={name}"]))
        rv = req.param("resourceVersion")
        events: list[dict[str, Any]] = []
        if rv and rv != "0" and rv.isdigit() and int(rv) < self.state.floor:
            events.append({"type": "ERROR", "object": status_object(
                410, "Expired", f"too old resource version: {rv} ({self.state.rv})")})
        else:
            result = self.state.list(res, namespace, label=req.param("labelSelector"),
                                     field=field_sel)
            if not rv or rv == "0" or (req.param("sendInitialEvents") or "") in _TRUE:
                events += [{"type": "ADDED", "object": self._typed(res, o)} for o in result.items]
            if (req.param("sendInitialEvents") or "") in _TRUE:
                events.append({"type": "BOOKMARK", "object": {
                    "kind": res.kind, "apiVersion": res.group_version, "metadata": {
                        "resourceVersion": str(self.state.rv),
                        "annotations": {"k8s.io/initial-events-end": "true"}}}})
        body = b"".join(json.dumps(e).encode() + b"\n" for e in events)
        return SimResponse(200, body, "application/json;stream=watch")

    def _get(self, req: SimRequest, res: APIResource, route: Route, namespace: str | None,
             name: str) -> SimResponse:
        sub = route.subresource
        if sub == "log":
            opts = LogOptions(
                container=req.param("container"),
                previous=(req.param("previous") or "").lower() in _TRUE,
                timestamps=(req.param("timestamps") or "").lower() in _TRUE,
                since_seconds=_int_param(req, "sinceSeconds"), since_time=req.param("sinceTime"),
                tail_lines=_int_param(req, "tailLines"), limit_bytes=_int_param(req, "limitBytes"))
            text = self.state.pod_log(str(namespace), name, opts)
            return SimResponse(200, text.encode(), "text/plain")
        self.state.check_resource_version(req.param("resourceVersion"), None)
        obj = self.state.get(res, namespace, name)
        if sub == "scale":
            return SimResponse.json(200, _scale_of(obj))
        if sub not in _OBJECT_SUBRESOURCES:
            raise ApiStatusError(405, "MethodNotAllowed", f"{sub} is not readable")
        typed = self._typed(res, obj)
        if wants_table(req.header("Accept")):
            return SimResponse.json(200, to_table([typed], res.kind,
                                                  {"resourceVersion": str(self.state.rv)}))
        return SimResponse.json(200, typed)

    # -- writes -----------------------------------------------------------------------------

    def _body(self, req: SimRequest) -> Any:
        try:
            return json.loads(req.body or b"null")
        except ValueError as exc:
            raise ApiStatusError(400, "BadRequest", f"the request body is not JSON: {exc}") \
                from None

    def _write(self, req: SimRequest, res: APIResource, route: Route, action: str,
               namespace: str | None, name: str | None) -> SimResponse:
        dry_run = bool(req.param("dryRun"))
        sub = route.subresource
        if action == "delete" and name:
            return SimResponse.json(200, self._typed(res, self.state.delete(
                res, namespace, name, dry_run=dry_run)))
        if action == "deletecollection":
            result = self.state.list(res, namespace, label=req.param("labelSelector"),
                                     field=req.param("fieldSelector"))
            for obj in result.items:
                self.state.delete(res, namespace, obj["metadata"]["name"], dry_run=dry_run)
            return SimResponse.json(200, status_object(200, "", f"deleted {len(result.items)}"))
        if action == "post" and sub == "eviction" and name:
            self.state.delete(res, namespace, name, dry_run=dry_run)
            return SimResponse.json(201, status_object(201, "", "evicted"))
        if action == "post" and not name:
            body = self._body(req)
            if not isinstance(body, dict):
                raise ApiStatusError(400, "BadRequest", "the request body must be an object")
            if dry_run:
                return SimResponse.json(201, body)
            return SimResponse.json(201, self._typed(res, self.state.put(
                res, namespace, body, create=True)))
        if action in ("patch", "put") and name and (sub in _OBJECT_SUBRESOURCES or sub == "scale"):
            current = self.state.get(res, namespace, name)
            body = self._body(req)
            if sub == "scale":
                replicas = (body.get("spec") or {}).get("replicas") if isinstance(body, dict) \
                    else None
                if action == "patch":
                    replicas = apply_patch(_scale_of(current), body,
                                           req.header("Content-Type"))["spec"].get("replicas")
                updated = dict(current, spec={**(current.get("spec") or {}),
                                              "replicas": replicas})
            elif action == "patch":
                updated = apply_patch(current, body, req.header("Content-Type"))
            else:
                updated = body if isinstance(body, dict) else {}
            updated.setdefault("metadata", {})["name"] = name
            if action == "patch":
                updated["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
            if dry_run:
                return SimResponse.json(200, self._typed(res, updated))
            stored = self.state.put(res, namespace, updated, create=False)
            return SimResponse.json(200, _scale_of(stored) if sub == "scale"
                                    else self._typed(res, stored))
        raise ApiStatusError(405, "MethodNotAllowed",
                             f"{req.method} {route.template} is not implemented by the simulator")


def _scale_of(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata") or {}
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    labels = ((spec.get("selector") or {}).get("matchLabels")) or {}
    return {
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                          "creationTimestamp") if k in meta},
        "spec": {"replicas": spec.get("replicas", 1)},
        "status": {"replicas": status.get("replicas", 0),
                   "selector": ",".join(f"{k}={v}" for k, v in sorted(labels.items()))},
    }
