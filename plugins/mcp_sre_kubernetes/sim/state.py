"""The simulated cluster's objects, resource versions, pod logs and access rules.

The simulator keeps no history: every write compacts, so a continue token or an exact
``resourceVersion`` older than the latest write gets ``410 Expired``, as a real server does once
etcd has compacted past it. Events and HPAs are stored once and served through each version
that shows them (:mod:`.versions`); what controllers would derive is filled in at load (:mod:`.derive`,
:mod:`.usage`); logs of pods the scenario no longer has stay in ``logs`` (a log store's view) but
the API answers 404 for them, as a real one does.
"""

from __future__ import annotations

import base64
import binascii
import copy
import fnmatch
import json
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from mcp_sre_kubernetes.sim.derive import (
    derive_endpoints,
    derive_workload_status,
    link_uids,
    owner_uids,
)
from mcp_sre_kubernetes.sim.events import EVENTS_V1
from mcp_sre_kubernetes.sim.logs import LogOptions, container_log
from mcp_sre_kubernetes.sim.metrics import (
    METRICS_GROUP,
    MetricsSection,
    metrics_objects,
    metrics_resources,
)
from mcp_sre_kubernetes.sim.routes import APIResource, RouteTable
from mcp_sre_kubernetes.sim.scenario import (
    RFC3339,
    ContainerLogs,
    ForbiddenRule,
    Scenario,
    ScenarioError,
)
from mcp_sre_kubernetes.sim.selectors import field_selector, label_selector
from mcp_sre_kubernetes.sim.status import ApiStatusError
from mcp_sre_kubernetes.sim.usage import derive_hpa_status, derive_quota_status
from mcp_sre_kubernetes.sim.versions import ALIASES

__all__ = ["ClusterState", "ListResult"]

Key = tuple[str, str, str]


class ListResult:
    """One page of a list: items plus list metadata."""

    def __init__(self, items: list[dict[str, Any]], metadata: dict[str, Any]) -> None:
        self.items = items
        self.metadata = metadata


def _split_api_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


class ClusterState:
    """All objects of one simulated cluster, safe to use from many request threads."""

    def __init__(self, routes: RouteTable, scenario: Scenario | None = None) -> None:
        self.routes = routes
        self.lock = threading.RLock()
        self.rv = 1000
        self.floor = self.rv
        self.objects: dict[Key, dict[tuple[str, str], dict[str, Any]]] = {}
        self.logs: dict[tuple[str, str], dict[str, ContainerLogs]] = {}
        self.forbidden: list[ForbiddenRule] = []
        self.custom: list[APIResource] = []  # served from the scenario's CRDs
        self.metrics: MetricsSection | None = None
        if scenario is not None:
            self.load(scenario)

    # -- loading ----------------------------------------------------------------------------

    def load(self, scenario: Scenario) -> None:
        with self.lock:
            for obj in scenario.objects:
                if obj.get("kind") == "CustomResourceDefinition":
                    self._serve_crd(obj)
            namespaces: set[str] = set()
            uids = owner_uids(scenario.objects)
            for i, obj in enumerate(scenario.objects):
                try:
                    res = self.resource_of(obj)
                except ApiStatusError as exc:
                    raise ScenarioError(f"scenario {scenario.name!r} object #{i}: {exc.message}",
                                        hint="use an apiVersion/kind the swagger serves") from exc
                stored = self._load_object(res, copy.deepcopy(obj), uids)
                if res.namespaced:
                    namespaces.add(stored["metadata"]["namespace"])
            ns_res = self.routes.resources.get(("", "v1", "namespaces"))
            for ns in sorted(namespaces):
                if ns_res and ("", ns) not in self.objects.get(ns_res.key, {}):
                    self._add(ns_res, {"apiVersion": "v1", "kind": "Namespace",
                                       "metadata": {"name": ns},
                                       "spec": {"finalizers": ["kubernetes"]},
                                       "status": {"phase": "Active"}})
            for ref, containers in scenario.logs.items():
                ns, _, pod = ref.partition("/")
                if not pod:
                    raise ScenarioError(f"log key {ref!r} must be 'namespace/pod'")
                self.logs[(ns, pod)] = dict(containers)
            self.forbidden.extend(scenario.forbidden)
            self._derive(scenario)
            self.floor = self.rv

    def _load_object(self, res: APIResource, obj: dict[str, Any],
                     uids: dict[tuple[str, str, str], str]) -> dict[str, Any]:
        """Store one scenario object: an owner takes the uid its dependents name, and events
        are stored in their core form whichever API the scenario wrote them for."""
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        where = meta.get("namespace", "default") if res.namespaced else ""
        uid = uids.get((str(obj.get("kind")), where, str(meta.get("name"))))
        if uid and not meta.get("uid"):
            meta["uid"] = uid
        res, obj = self._storage_form(res, obj)
        return self._add(res, obj)

    def _derive(self, scenario: Scenario) -> None:
        """Serve the metrics API (when the scenario has metrics) and fill in what controllers
        would have written."""
        now = datetime.now(UTC).strftime(RFC3339)
        if scenario.metrics is not None:
            self.metrics = scenario.metrics
            for res in metrics_resources():
                if res.key not in self.routes.resources:
                    self.routes.add_resource(res)
            pods = dict(self.objects.get(("", "v1", "pods"), {}))
            nodes = {n: v for (_, n), v in self.objects.get(("", "v1", "nodes"), {}).items()}
            try:
                for obj in metrics_objects(scenario.metrics, pods, nodes, now):
                    self._add(self.resource_of(obj), obj)
            except KeyError as exc:
                raise ScenarioError(f"scenario {scenario.name!r} has metrics for "
                                    f"{exc.args[0]}, which it does not have") from None
        link_uids(self.objects)
        derive_workload_status(self.objects)
        derive_quota_status(self.objects)
        derive_hpa_status(self.objects, self.metrics, now)
        for obj in derive_endpoints(self.objects):
            try:
                res = self.resource_of(obj)
            except ApiStatusError:
                continue  # a swagger without discovery.k8s.io
            self._add(res, obj)

    def _stored(self, res: APIResource) -> tuple[APIResource, Any]:
        """Where a resource's objects live, and how to show them: a version the server
        converts to (events.k8s.io events, autoscaling/v1 HPAs) reads the stored form."""
        alias = ALIASES.get(res.key)
        if alias is not None and alias.storage in self.routes.resources:
            return self.routes.resources[alias.storage], alias.to_served
        return res, None

    def _storage_form(self, res: APIResource, obj: dict[str, Any]
                      ) -> tuple[APIResource, dict[str, Any]]:
        """The resource an object is stored under and its stored form."""
        alias = ALIASES.get(res.key)
        if alias is not None and alias.storage in self.routes.resources:
            return self.routes.resources[alias.storage], alias.normalize(alias.to_storage(obj))
        for alias in ALIASES.values():
            if alias.storage == res.key:
                return res, alias.normalize(obj)
        return res, obj

    def _serve_crd(self, crd: dict[str, Any]) -> None:
        spec = crd.get("spec") or {}
        names = spec.get("names") or {}
        for version in spec.get("versions") or []:
            if not version.get("served", True):
                continue
            res = APIResource(
                group=spec.get("group", ""), version=version.get("name", ""),
                plural=names.get("plural", ""), kind=names.get("kind", ""),
                namespaced=spec.get("scope") == "Namespaced",
                verbs={"get", "list", "watch", "create", "update", "patch", "delete"},
                short_names=list(names.get("shortNames") or []),
            )
            self.routes.add_resource(res)
            self.custom.append(res)

    def resource_of(self, obj: dict[str, Any]) -> APIResource:
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        if not api_version or not kind:
            raise ApiStatusError(400, "BadRequest", "object has no apiVersion or kind")
        group, version = _split_api_version(str(api_version))
        res = self.routes.resource_for_kind(group, version, str(kind))
        if res is None:
            raise ApiStatusError(404, "NotFound",
                                 f'no matches for kind "{kind}" in version "{api_version}"')
        return res

    def _next_rv(self) -> str:
        self.rv += 1
        return str(self.rv)

    def _add(self, res: APIResource, obj: dict[str, Any]) -> dict[str, Any]:
        meta = obj.setdefault("metadata", {})
        name = meta.get("name")
        if not name:
            raise ScenarioError(f"a {res.kind} has no metadata.name")
        if res.namespaced:
            meta.setdefault("namespace", "default")
        elif "namespace" in meta:
            raise ScenarioError(f"{res.kind} {name!r} is cluster-scoped but has a namespace")
        ns = meta.get("namespace", "")
        meta.setdefault("creationTimestamp",
                        (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))
        if res.group == METRICS_GROUP:  # computed on read by metrics-server: no uid, no version
            self.objects.setdefault(res.key, {})[(ns, name)] = obj
            return obj
        meta.setdefault("uid", str(uuid.uuid5(uuid.NAMESPACE_URL,
                                              f"{res.group_version}/{res.kind}/{ns}/{name}")))
        if "spec" in obj:
            meta.setdefault("generation", 1)
        meta["resourceVersion"] = self._next_rv()
        self.objects.setdefault(res.key, {})[(ns, name)] = obj
        return obj

    # -- access control ---------------------------------------------------------------------

    def check_access(self, verb: str, res: APIResource, namespace: str | None,
                     subresource: str | None = None) -> None:
        resource = f"{res.plural}/{subresource}" if subresource else res.plural
        for rule in self.forbidden:
            if (fnmatch.fnmatchcase(resource, rule.resource)
                    and (rule.group == "*" or rule.group == res.group)
                    and (rule.namespace == "*" or rule.namespace == (namespace or ""))
                    and ("*" in rule.verbs or verb in rule.verbs)):
                where = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
                raise ApiStatusError(
                    403, "Forbidden",
                    f'{resource} is forbidden: User "{rule.user}" cannot {verb} resource '
                    f'"{resource}" in API group "{res.group}"{where}',
                    {"kind": res.plural, **({"group": res.group} if res.group else {})},
                )

    # -- reads ------------------------------------------------------------------------------

    def get(self, res: APIResource, namespace: str | None, name: str) -> dict[str, Any]:
        stored, view = self._stored(res)
        with self.lock:
            obj = self.objects.get(stored.key, {}).get((namespace or "", name))
            if obj is None:
                raise ApiStatusError.not_found(res.plural, name, res.group)
            return view(copy.deepcopy(obj)) if view else copy.deepcopy(obj)

    def check_resource_version(self, rv: str | None, match: str | None) -> None:
        """Apply ``resourceVersion`` / ``resourceVersionMatch`` semantics to a read."""
        if match and not rv:
            raise ApiStatusError(400, "BadRequest",
                                 "resourceVersionMatch is forbidden unless resourceVersion is set")
        if not rv or rv == "0":
            return
        try:
            wanted = int(rv)
        except ValueError:
            raise ApiStatusError(400, "BadRequest", f"invalid resource version: {rv!r}") from None
        if wanted > self.rv:
            raise ApiStatusError(504, "Timeout",
                                 f"Too large resource version: {wanted}, current: {self.rv}",
                                 {"causes": [{"reason": "ResourceVersionTooLarge",
                                              "message": "Too large resource version"}],
                                  "retryAfterSeconds": 1})
        if match == "Exact" and wanted < self.floor:
            raise ApiStatusError(410, "Expired", f"too old resource version: {wanted} ({self.rv})")

    def list(
        self,
        res: APIResource,
        namespace: str | None,
        *,
        label: str | None = None,
        field: str | None = None,
        limit: int | None = None,
        cont: str | None = None,
        rv: str | None = None,
        rv_match: str | None = None,
    ) -> ListResult:
        stored, view = self._stored(res)
        if res.key == EVENTS_V1 and view and field:  # events.k8s.io names, core stored
            field = field.replace("regarding.", "involvedObject.").replace(
                "reportingController", "reportingComponent")
        labels_ok = label_selector(label)
        fields_ok = field_selector(field, res.kind)
        with self.lock:
            start: tuple[str, str] | None = None
            if cont:
                start = self._decode_continue(cont)
            else:
                self.check_resource_version(rv, rv_match)
            rows = sorted(self.objects.get(stored.key, {}).items())
            items = [copy.deepcopy(obj) for (ns, _), obj in rows
                     if (namespace is None or ns == namespace)
                     and labels_ok(obj) and fields_ok(obj)]
            if view is not None:
                items = [view(obj) for obj in items]
            if start is not None:
                items = [o for o in items if _key(o) > start]
            meta: dict[str, Any] = {"resourceVersion": str(self.rv)}
            if limit and limit > 0 and len(items) > limit:
                rest = len(items) - limit
                items = items[:limit]
                meta["continue"] = self._encode_continue(_key(items[-1]))
                if not label and not field:
                    meta["remainingItemCount"] = rest
            return ListResult(items, meta)

    def _encode_continue(self, last_key: tuple[str, str]) -> str:
        token = {"v": "meta.k8s.io/v1", "rv": self.rv, "start": list(last_key)}
        return base64.urlsafe_b64encode(json.dumps(token).encode()).decode().rstrip("=")

    def _decode_continue(self, token: str) -> tuple[str, str]:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            data = json.loads(raw)
            rv = int(data["rv"])
            start = (str(data["start"][0]), str(data["start"][1]))
        except (binascii.Error, ValueError, KeyError, TypeError, IndexError):
            raise ApiStatusError(400, "BadRequest", "continue key is not valid: "
                                 "malformed continue token") from None
        if data.get("v") != "meta.k8s.io/v1":
            raise ApiStatusError(400, "BadRequest", "continue key is not valid: "
                                 "incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        if rv < self.floor:
            raise ApiStatusError(
                410, "Expired",
                "The provided continue parameter is too old to display a consistent list result. "
                "You can start a new list without the continue parameter, or use the continue "
                "token in this response to retrieve the remainder of the results. Continuing with "
                "the provided token results in an inconsistent list - objects that were created, "
                "modified, or deleted between the time the first chunk was returned and now may "
                "show up in the list.",
            )
        return start

    def pod_log(self, namespace: str, name: str, opts: LogOptions) -> str:
        pods = self.routes.resources[("", "v1", "pods")]
        pod = self.get(pods, namespace, name)
        return container_log(pod, self.logs.get((namespace, name), {}), opts)

    # -- writes (served so tests can show that the policy, not the server, refused them) ----

    def compact(self) -> None:
        """Forget history up to now: older continue tokens and exact versions expire."""
        with self.lock:
            self.floor = self.rv

    def delete(self, res: APIResource, namespace: str | None, name: str,
               dry_run: bool = False) -> dict[str, Any]:
        stored, view = self._stored(res)
        with self.lock:
            bucket = self.objects.get(stored.key, {})
            obj = bucket.get((namespace or "", name))
            if obj is None:
                raise ApiStatusError.not_found(res.plural, name, res.group)
            if not dry_run:
                del bucket[(namespace or "", name)]
                self._next_rv()
                self.compact()
            return view(copy.deepcopy(obj)) if view else copy.deepcopy(obj)

    def put(self, res: APIResource, namespace: str | None, obj: dict[str, Any], *,
            create: bool) -> dict[str, Any]:
        meta = obj.setdefault("metadata", {})
        name = meta.get("name")
        if not name:
            raise ApiStatusError(422, "Invalid", f"{res.kind} is invalid: metadata.name: "
                                 "Required value: name or generateName is required")
        if res.namespaced:
            if meta.get("namespace", namespace) != namespace:
                raise ApiStatusError(400, "BadRequest", "the namespace of the provided object "
                                     "does not match the namespace sent on the request")
            meta["namespace"] = namespace
        obj.setdefault("apiVersion", res.group_version)
        obj.setdefault("kind", res.kind)
        view = self._stored(res)[1]
        res, obj = self._storage_form(res, obj)
        meta = obj.setdefault("metadata", meta)
        with self.lock:
            bucket = self.objects.setdefault(res.key, {})
            old = bucket.get((namespace or "", name))
            if create and old is not None:
                raise ApiStatusError(409, "AlreadyExists",
                                     f'{res.plural} "{name}" already exists',
                                     {"name": name, "kind": res.plural})
            if not create:
                if old is None:
                    raise ApiStatusError.not_found(res.plural, name, res.group)
                sent = meta.get("resourceVersion")
                if sent and sent != old["metadata"]["resourceVersion"]:
                    raise ApiStatusError(
                        409, "Conflict", f'Operation cannot be fulfilled on {res.plural} "{name}"'
                        ": the object has been modified; please apply your changes to the latest "
                        "version and try again", {"name": name, "kind": res.plural})
                for keep in ("uid", "creationTimestamp"):
                    meta[keep] = old["metadata"].get(keep)
                if obj.get("spec") != old.get("spec"):
                    meta["generation"] = int(old["metadata"].get("generation", 1)) + 1
            else:
                meta.pop("resourceVersion", None)
            if create:
                stored = self._add(res, obj)
            else:
                meta["resourceVersion"] = self._next_rv()
                bucket[(namespace or "", name)] = obj
                stored = obj
            self.compact()
            return view(copy.deepcopy(stored)) if view else copy.deepcopy(stored)


def _key(obj: dict[str, Any]) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return (str(meta.get("namespace", "")), str(meta.get("name", "")))
