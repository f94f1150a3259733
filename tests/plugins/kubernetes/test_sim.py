"""The simulated API server, spoken to over real HTTPS: discovery, reads, selectors,
pagination, resource versions, Status errors, logs, writes, and schema validity."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml

from mcp_sre_kubernetes.sim import Scenario, ScenarioError, SimServer, load_scenario
from mcp_sre_kubernetes.sim.routes import RouteTable, load_swagger

from .conftest import SWAGGER


def _ctx(server: SimServer) -> ssl.SSLContext:
    assert server.cert is not None
    return ssl.create_default_context(cadata=server.cert.cert_pem.decode())


def request(server: SimServer, method: str, path: str, *, query: dict[str, Any] | None = None,
            body: Any = None, headers: dict[str, str] | None = None,
            token: str | None = "default") -> tuple[int, Any, str]:
    url = server.url + path + ("?" + urlencode(query) if query else "")
    hdrs = dict(headers or {})
    if token:
        hdrs["Authorization"] = f"Bearer {server.token if token == 'default' else token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, context=_ctx(server), timeout=10) as resp:
            code, raw, ctype = resp.status, resp.read(), resp.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        code, raw, ctype = exc.code, exc.read(), exc.headers.get("Content-Type", "")
    text = raw.decode()
    parsed: Any = json.loads(text) if "json" in ctype and "stream" not in ctype else text
    return code, parsed, ctype


def get(server: SimServer, path: str, **kw: Any) -> Any:
    code, body, _ = request(server, "GET", path, **kw)
    assert code == 200, body
    return body


# ------------------------------------------------------------------ routes from the swagger


def test_every_swagger_resource_is_served_with_scope_and_kind() -> None:
    routes = RouteTable.from_swagger(load_swagger(SWAGGER))
    pods = routes.resources[("", "v1", "pods")]
    assert (pods.kind, pods.namespaced) == ("Pod", True)
    assert {"get", "list", "watch", "create", "delete", "patch"} <= pods.verbs
    assert {"log", "exec", "status", "eviction"} <= set(pods.subresources)
    nodes = routes.resources[("", "v1", "nodes")]
    assert (nodes.kind, nodes.namespaced) == ("Node", False)
    assert routes.resources[("", "v1", "namespaces")].namespaced is False
    assert routes.resources[("apps", "v1", "deployments")].subresources["scale"][0] == "Scale"
    # every list operation in the swagger maps to a served resource
    doc = load_swagger(SWAGGER)
    listed = {(op["x-kubernetes-group-version-kind"]["group"],
               op["x-kubernetes-group-version-kind"]["kind"])
              for item in doc["paths"].values() for m, op in item.items()
              if m == "get" and isinstance(op, dict) and op.get("x-kubernetes-action") == "list"}
    served = {(r.group, r.kind) for r in routes.resources.values()}
    assert listed <= served
    assert len(routes.resources) >= 90


def test_route_matching_prefers_literal_segments() -> None:
    routes = RouteTable.from_swagger(load_swagger(SWAGGER))
    route, params = routes.match("/api/v1/namespaces/shop/pods/web-1/log")  # type: ignore[misc]
    assert route.subresource == "log" and params == {"namespace": "shop", "name": "web-1"}
    route, params = routes.match("/api/v1/namespaces/status")  # type: ignore[misc]
    assert route.plural == "namespaces" and params == {"name": "status"}
    route, params = routes.match("/api/v1/nodes/n1/proxy/metrics/cadvisor")  # type: ignore[misc]
    assert route.subresource == "proxy" and params["path"] == "metrics/cadvisor"
    assert routes.match("/apis/nope.example.com/v1/things") is None


# ------------------------------------------------------------------ discovery


def test_discovery_documents(sim: SimServer) -> None:
    assert get(sim, "/api")["versions"] == ["v1"]
    groups = {g["name"]: g for g in get(sim, "/apis")["groups"]}
    assert groups["apps"]["preferredVersion"]["version"] == "v1"
    assert groups["autoscaling"]["preferredVersion"]["version"] == "v2"
    core = {r["name"]: r for r in get(sim, "/api/v1")["resources"]}
    assert core["pods"]["namespaced"] and "po" in core["pods"]["shortNames"]
    assert core["pods/log"]["verbs"] == ["get"]
    assert not core["nodes"]["namespaced"]
    apps = {r["name"]: r for r in get(sim, "/apis/apps/v1")["resources"]}
    assert apps["deployments/scale"]["group"] == "autoscaling"
    assert get(sim, "/version")["gitVersion"] == "v1.36.0"
    assert get(sim, "/apis/apps")["kind"] == "APIGroup"
    assert get(sim, "/openapi/v2")["swagger"] == "2.0"


# ------------------------------------------------------------------ reads


def test_list_get_and_all_namespaces(sim: SimServer) -> None:
    pods = get(sim, "/api/v1/namespaces/shop/pods")
    assert pods["kind"] == "PodList" and pods["apiVersion"] == "v1"
    names = [p["metadata"]["name"] for p in pods["items"]]
    assert "checkout-6d5f9c7b8-9wq7z" in names and names == sorted(names)
    assert all("kind" not in p for p in pods["items"])  # as the real server sends list items
    everywhere = get(sim, "/api/v1/pods")["items"]
    assert {p["metadata"]["namespace"] for p in everywhere} == {"shop", "kube-system"}
    pod = get(sim, "/api/v1/namespaces/shop/pods/checkout-6d5f9c7b8-9wq7z")
    assert pod["kind"] == "Pod"
    last = pod["status"]["containerStatuses"][0]["lastState"]["terminated"]
    assert last["reason"] == "OOMKilled"
    assert pod["spec"]["containers"][0]["resources"]["limits"]["memory"] == "256Mi"
    nodes = {n["metadata"]["name"]: n for n in get(sim, "/api/v1/nodes")["items"]}
    pressure = {c["type"]: c["status"] for c in nodes["node-b"]["status"]["conditions"]}
    assert pressure["MemoryPressure"] == "True"
    deploy = get(sim, "/apis/apps/v1/namespaces/shop/deployments/payments")
    progressing = {c["type"]: c for c in deploy["status"]["conditions"]}["Progressing"]
    assert progressing["reason"] == "ProgressDeadlineExceeded"
    pvc = get(sim, "/api/v1/namespaces/shop/persistentvolumeclaims/orders-db-data")
    assert pvc["status"]["phase"] == "Pending"
    scale = get(sim, "/apis/apps/v1/namespaces/shop/deployments/checkout/scale")
    assert scale["kind"] == "Scale" and scale["status"]["selector"] == "app=checkout"


@pytest.mark.parametrize(("selector", "expected"), [
    ("app=checkout", {"checkout-6d5f9c7b8-2xk4p", "checkout-6d5f9c7b8-9wq7z"}),
    ("app in (cart, checkout),tier!=api", {"cart-5f6d7c8b9-k2j4h"}),
    ("app notin (payments,frontend,checkout,cart)", {"orders-db-0"}),
    ("statefulset.kubernetes.io/pod-name", {"orders-db-0"}),
    ("!pod-template-hash", {"orders-db-0"}),
])
def test_label_selectors(sim: SimServer, selector: str, expected: set[str]) -> None:
    items = get(sim, "/api/v1/namespaces/shop/pods", query={"labelSelector": selector})["items"]
    assert {p["metadata"]["name"] for p in items} == expected


def test_field_selectors(sim: SimServer) -> None:
    pending = get(sim, "/api/v1/pods", query={"fieldSelector": "status.phase=Pending"})["items"]
    assert {p["metadata"]["name"] for p in pending} == {"payments-7f8b9c6d5-q8x2m", "orders-db-0"}
    on_b = get(sim, "/api/v1/pods", query={"fieldSelector": "spec.nodeName=node-b"})["items"]
    assert {p["metadata"]["name"] for p in on_b} == {"checkout-6d5f9c7b8-9wq7z",
                                                    "payments-5c7d8e9f1-z4v6t"}
    events = get(sim, "/api/v1/namespaces/shop/events", query={
        "fieldSelector": "involvedObject.kind=Pod,involvedObject.name=checkout-6d5f9c7b8-9wq7z,"
                         "type=Warning"})["items"]
    assert [e["reason"] for e in events] == ["BackOff"]
    code, status, _ = request(sim, "GET", "/api/v1/pods", query={"fieldSelector": "spec.image=x"})
    assert code == 400 and status["message"] == "field label not supported: spec.image"
    code, status, _ = request(sim, "GET", "/api/v1/pods", query={"labelSelector": "a in b"})
    assert code == 400 and status["reason"] == "BadRequest"


def test_pagination_with_limit_and_continue(sim: SimServer) -> None:
    everything = [p["metadata"]["name"] for p in get(sim, "/api/v1/pods")["items"]]
    seen, token, pages = [], None, 0
    while True:
        query = {"limit": 5, **({"continue": token} if token else {})}
        page = get(sim, "/api/v1/pods", query=query)
        seen += [p["metadata"]["name"] for p in page["items"]]
        pages += 1
        token = page["metadata"].get("continue")
        if not token:
            break
        assert page["metadata"]["remainingItemCount"] == len(everything) - len(seen)
    assert seen == everything and pages == 3
    code, status, _ = request(sim, "GET", "/api/v1/pods", query={"continue": "garbage!"})
    assert code == 400 and "continue key is not valid" in status["message"]


def test_resource_versions_and_expired_continue(fresh_sim: tuple[SimServer, Path]) -> None:
    server, _ = fresh_sim
    first = get(server, "/api/v1/pods", query={"limit": 2})
    rv = int(first["metadata"]["resourceVersion"])
    code, status, _ = request(server, "GET", "/api/v1/pods", query={"resourceVersion": rv + 50})
    assert code == 504 and "Too large resource version" in status["message"]
    exact = {"resourceVersion": rv, "resourceVersionMatch": "Exact"}
    assert request(server, "GET", "/api/v1/pods", query=exact)[0] == 200
    code, _, _ = request(server, "DELETE", "/api/v1/namespaces/shop/pods/cart-5f6d7c8b9-k2j4h")
    assert code == 200
    code, status, _ = request(server, "GET", "/api/v1/pods",
                              query={"limit": 2, "continue": first["metadata"]["continue"]})
    assert (code, status["reason"]) == (410, "Expired")
    code, status, _ = request(server, "GET", "/api/v1/pods", query=exact)
    assert (code, status["reason"]) == (410, "Expired")
    code, events, ctype = request(server, "GET", "/api/v1/pods",
                                  query={"watch": "true", "resourceVersion": rv})
    event = json.loads(events.splitlines()[0])
    assert code == 200 and "stream=watch" in ctype
    assert event["type"] == "ERROR" and event["object"]["code"] == 410


def test_watch_sends_initial_state_then_ends(sim: SimServer) -> None:
    code, body, _ = request(sim, "GET", "/api/v1/watch/namespaces/shop/pods/orders-db-0")
    events = [json.loads(line) for line in body.splitlines()]
    assert code == 200 and [e["type"] for e in events] == ["ADDED"]
    assert events[0]["object"]["kind"] == "Pod"


# ------------------------------------------------------------------ errors


def test_status_objects_for_errors(sim: SimServer) -> None:
    code, status, _ = request(sim, "GET", "/api/v1/namespaces/shop/pods/nope")
    assert code == 404 and status == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'pods "nope" not found', "reason": "NotFound", "code": 404,
        "details": {"name": "nope", "kind": "pods"}}
    code, status, _ = request(sim, "GET", "/apis/apps/v1/namespaces/shop/deployments/nope")
    assert status["message"] == 'deployments.apps "nope" not found'
    code, status, _ = request(sim, "PUT", "/api/v1/pods")
    assert (code, status["reason"]) == (405, "MethodNotAllowed")
    code, status, _ = request(sim, "GET", "/api/v1/pods", token="wrong")
    assert (code, status["reason"]) == (401, "Unauthorized")
    code, status, _ = request(sim, "GET", "/apis/example.com/v1/widgets")
    assert code == 404 and status["reason"] == "NotFound"
    code, status, _ = request(sim, "GET", "/api/v1/namespaces/shop/pods/x/exec")
    assert code == 400


def test_forbidden_rules_answer_403(tmp_path: Path) -> None:
    scenario = Scenario.model_validate({**load_scenario("crashloop").model_dump(), "forbidden": [
        {"resource": "secrets", "namespace": "shop", "verbs": ["get", "list"]}]})
    with SimServer(scenario, swagger=SWAGGER) as server:
        code, status, _ = request(server, "GET", "/api/v1/namespaces/shop/secrets")
        assert (code, status["reason"]) == (403, "Forbidden")
        assert 'cannot list resource "secrets"' in status["message"]
        assert request(server, "GET", "/api/v1/namespaces/default/secrets")[0] == 200


# ------------------------------------------------------------------ logs


def test_pod_logs(sim: SimServer) -> None:
    path = "/api/v1/namespaces/shop/pods/checkout-6d5f9c7b8-9wq7z/log"
    code, text, ctype = request(sim, "GET", path)
    assert code == 200 and ctype == "text/plain" and "heap used=231Mi" in text
    _, previous, _ = request(sim, "GET", path, query={"previous": "true", "tailLines": 1})
    assert previous.strip().endswith("99% of the container memory limit 256Mi")
    assert previous.count("\n") == 1
    _, limited, _ = request(sim, "GET", path, query={"limitBytes": 10})
    assert len(limited.encode()) == 10
    multi = "/api/v1/namespaces/shop/pods/frontend-7b9c6d5f4-abcde/log"
    code, status, _ = request(sim, "GET", multi)
    assert code == 400 and "choose one of: [frontend nginx-exporter]" in status["message"]
    _, text, _ = request(sim, "GET", multi, query={"container": "nginx-exporter"})
    assert "nginx-prometheus-exporter" in text
    code, status, _ = request(sim, "GET", "/api/v1/namespaces/shop/pods/payments-7f8b9c6d5-q8x2m/log")
    assert code == 400 and "waiting to start: ImagePullBackOff" in status["message"]
    code, status, _ = request(sim, "GET", path.replace("9wq7z", "2xk4p"), query={"previous": 1})
    assert code == 400 and "previous terminated container" in status["message"]


# ------------------------------------------------------------------ writes


def test_delete_and_patch_are_served(fresh_sim: tuple[SimServer, Path]) -> None:
    server, _ = fresh_sim
    path = "/api/v1/namespaces/shop/pods/cart-5f6d7c8b9-k2j4h"
    code, _, _ = request(server, "PATCH", "/apis/apps/v1/namespaces/shop/deployments/cart",
                         body={"spec": {"replicas": 3}},
                         headers={"Content-Type": "application/merge-patch+json"})
    assert code == 200
    deploy = get(server, "/apis/apps/v1/namespaces/shop/deployments/cart")
    assert deploy["spec"]["replicas"] == 3 and deploy["metadata"]["generation"] == 4
    code, status, _ = request(server, "PATCH", path, body={"a": 1},
                              headers={"Content-Type": "application/apply-patch+yaml"})
    assert (code, status["reason"]) == (415, "UnsupportedMediaType")
    assert request(server, "DELETE", path)[0] == 200
    assert request(server, "GET", path)[0] == 404
    assert [r.code for r in server.requests_matching("DELETE", "/pods/")] == [200]


# ------------------------------------------------------------------ scenarios and validity


def test_custom_resources_from_a_scenario_crd(sim: SimServer) -> None:
    groups = {g["name"] for g in get(sim, "/apis")["groups"]}
    assert "cert-manager.io" in groups
    resources = get(sim, "/apis/cert-manager.io/v1")["resources"]
    assert resources == [{"name": "certificates", "singularName": "certificate",
                          "namespaced": True, "kind": "Certificate",
                          "verbs": ["create", "delete", "get", "list", "patch", "update",
                                    "watch"], "shortNames": ["cert", "certs"]}]
    cert = get(sim, "/apis/cert-manager.io/v1/namespaces/shop/certificates/shop-tls")
    assert cert["kind"] == "Certificate" and cert["status"]["conditions"][0]["status"] == "False"
    listed = get(sim, "/apis/cert-manager.io/v1/certificates")
    assert listed["kind"] == "CertificateList" and len(listed["items"]) == 1


def test_bad_scenarios_get_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no scenario 'nope'"):
        load_scenario("nope")
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"name": "bad", "objects": [
        {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}]}))
    with pytest.raises(ScenarioError, match='no matches for kind "Widget"'):
        SimServer(bad, swagger=SWAGGER, tls=False)
    bad.write_text("objects: [unclosed")
    with pytest.raises(ScenarioError, match="cannot read scenario"):
        load_scenario(bad)
    bad.write_text(yaml.safe_dump({"name": "x", "objects": {"not": "a list"}}))
    with pytest.raises(ScenarioError, match="is invalid: objects"):
        load_scenario(bad)


def test_every_served_object_validates_against_the_kubernetes_schemas(sim: SimServer) -> None:
    kv = pytest.importorskip("kubernetes_validate")
    builtin = RouteTable.from_swagger(load_swagger(SWAGGER)).resources  # not the scenario's CRDs
    checked = 0
    for res in sim.state.routes.resources.values():
        if "list" not in res.verbs or res.key not in sim.state.objects or res.key not in builtin:
            continue
        prefix = "/api/v1" if not res.group else f"/apis/{res.group}/{res.version}"
        listing = get(sim, f"{prefix}/{res.plural}")
        kv.validate(listing, "1.36.0", strict=True)  # the list schema checks every item
        checked += len(listing["items"])
        first = listing["items"][0]["metadata"]
        where = f"/namespaces/{first['namespace']}" if res.namespaced else ""
        one = get(sim, f"{prefix}{where}/{res.plural}/{first['name']}")
        kv.validate(one, "1.36.0", strict=True)  # and a single object with its kind
    assert checked >= 50
