"""The simulated cluster's objects, resource versions, pod logs and access rules.

The simulator keeps no history: every write compacts, so a continue token or an exact
``resourceVersion`` older than the latest write gets ``410 Expired``, as a real server does once
etcd has compacted past it.
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

from mcp_sre_kubernetes.sim.routes import APIResource, RouteTable
from mcp_sre_kubernetes.sim.scenario import ContainerLogs, ForbiddenRule, Scenario, ScenarioError
from mcp_sre_kubernetes.sim.selectors import field_selector, label_selector
from mcp_sre_kubernetes.sim.status import ApiStatusError

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
        if scenario is not None:
            self.load(scenario)

    # -- loading ----------------------------------------------------------------------------

    def load(self, scenario: Scenario) -> None:
        with self.lock:
            for obj in scenario.objects:
                if obj.get("kind") == "CustomResourceDefinition":
                    self._serve_crd(obj)
            namespaces: set[str] = set()
            for i, obj in enumerate(scenario.objects):
                try:
                    res = self.resource_of(obj)
                except ApiStatusError as exc:
                    raise ScenarioError(f"scenario {scenario.name!r} object #{i}: {exc.message}",
                                        hint="use an apiVersion/kind the swagger serves") from exc
                stored = self._add(res, copy.deepcopy(obj))
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
            self.floor = self.rv

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
        meta.setdefault("uid", str(uuid.uuid5(uuid.NAMESPACE_URL,
                                              f"{res.group_version}/{res.kind}/{ns}/{name}")))
        meta.setdefault("creationTimestamp",
                        (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))
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
        with self.lock:
            obj = self.objects.get(res.key, {}).get((namespace or "", name))
            if obj is None:
                raise ApiStatusError.not_found(res.plural, name, res.group)
            return copy.deepcopy(obj)

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
        labels_ok = label_selector(label)
        fields_ok = field_selector(field, res.kind)
        with self.lock:
            start: tuple[str, str] | None = None
            if cont:
                start = self._decode_continue(cont)
            else:
                self.check_resource_version(rv, rv_match)
            rows = sorted(self.objects.get(res.key, {}).items())
            items = [copy.deepcopy(obj) for (ns, _), obj in rows
                     if (namespace is None or ns == namespace)
                     and labels_ok(obj) and fields_ok(obj)]
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

    def pod_log(self, namespace: str, name: str, *, container: str | None = None,
                previous: bool = False, tail_lines: int | None = None,
                limit_bytes: int | None = None) -> str:
        pods = self.routes.resources[("", "v1", "pods")]
        pod = self.get(pods, namespace, name)
        spec_containers = [c.get("name") for c in (pod.get("spec") or {}).get("containers") or []]
        if container is None:
            if len(spec_containers) != 1:
                raise ApiStatusError(400, "BadRequest",
                                     f"a container name must be specified for pod {name}, "
                                     f"choose one of: [{' '.join(spec_containers)}]")
            container = spec_containers[0]
        elif container not in spec_containers:
            inits = [c.get("name") for c in (pod.get("spec") or {}).get("initContainers") or []]
            if container not in inits:
                raise ApiStatusError(400, "BadRequest",
                                     f"container {container} is not valid for pod {name}")
        logs = self.logs.get((namespace, name), {}).get(container)
        statuses = {s.get("name"): s for s in (pod.get("status") or {}).get("containerStatuses")
                    or []}
        status = statuses.get(container) or {}
        if previous:
            if logs is None or logs.previous is None:
                raise ApiStatusError(400, "BadRequest", f'previous terminated container '
                                     f'"{container}" in pod "{name}" not found')
            text = logs.previous
        else:
            waiting = (status.get("state") or {}).get("waiting")
            if waiting and not status.get("lastState") and (logs is None or not logs.current):
                raise ApiStatusError(400, "BadRequest", f'container "{container}" in pod '
                                     f'"{name}" is waiting to start: {waiting.get("reason", "")}')
            text = logs.current if logs else ""
        if tail_lines is not None and tail_lines >= 0:
            lines = text.splitlines(keepends=True)
            text = "".join(lines[-tail_lines:]) if tail_lines else ""
        if limit_bytes is not None and limit_bytes > 0:
            text = text.encode()[:limit_bytes].decode("utf-8", "ignore")
        return text

    # -- writes (served so tests can show that the policy, not the server, refused them) ----

    def compact(self) -> None:
        """Forget history up to now: older continue tokens and exact versions expire."""
        with self.lock:
            self.floor = self.rv

    def delete(self, res: APIResource, namespace: str | None, name: str,
               dry_run: bool = False) -> dict[str, Any]:
        with self.lock:
            bucket = self.objects.get(res.key, {})
            obj = bucket.get((namespace or "", name))
            if obj is None:
                raise ApiStatusError.not_found(res.plural, name, res.group)
            if not dry_run:
                del bucket[(namespace or "", name)]
                self._next_rv()
                self.compact()
            return copy.deepcopy(obj)

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
            return copy.deepcopy(stored)


def _key(obj: dict[str, Any]) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return (str(meta.get("namespace", "")), str(meta.get("name", "")))
