"""What the simulator derives the way controllers would (endpoints, workload, quota and HPA
status), events through both APIs, and that every shipped scenario still loads and serves."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from mcp_sre_kubernetes.sim import Scenario, ScenarioError, SimServer, list_scenarios, load_scenario
from mcp_sre_kubernetes.sim.api import SimRequest

from .conftest import SWAGGER

DEV_CASES = Path("/work/shared/eval/diagnosis")
SCENARIOS = list_scenarios() + sorted(str(p) for p in DEV_CASES.glob("*/scenario.yaml"))
COUNTS = ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas")


def _serve(scenario: Scenario | str) -> Any:
    return SimServer(scenario, swagger=SWAGGER, tls=False, token=None).api


def _get(api: Any, path: str, query: str = "", method: str = "GET", body: Any = None) -> Any:
    resp = api.handle(SimRequest(method, path, query, {"Content-Type": "application/json"},
                                 json.dumps(body).encode() if body is not None else b""))
    assert resp.code < 300, resp.body
    return json.loads(resp.body)


def _key(obj: dict[str, Any]) -> tuple[str, str, str]:
    meta = obj["metadata"]
    return obj["kind"], meta.get("namespace", ""), meta["name"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_scenario_loads_and_serves(scenario: str) -> None:
    api = _serve(scenario)
    pods = _get(api, "/api/v1/pods")["items"]
    assert pods
    core = _get(api, "/api/v1/events")["items"]
    new = _get(api, "/apis/events.k8s.io/v1/events")["items"]
    assert [e["metadata"]["name"] for e in core] == [e["metadata"]["name"] for e in new]
    assert [e.get("message") for e in core] == [e.get("note") for e in new]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_derived_matches_what_scenarios_wrote(scenario: str) -> None:
    """Drop the hand-written Endpoints, EndpointSlices and controller status; what the
    simulator derives must agree with what the author wrote."""
    written = load_scenario(scenario)
    stripped = copy.deepcopy(written)
    stripped.objects = [dict(o, status={}) if o["kind"] in ("Deployment", "ReplicaSet") else o
                        for o in stripped.objects if o["kind"] not in ("Endpoints",
                                                                       "EndpointSlice")]
    state = _serve(stripped).state
    derived = {_key(o): o for bucket in state.objects.values() for o in bucket.values()}
    checked = 0
    for obj in written.objects:
        got = derived.get(_key(obj))
        if obj["kind"] == "Deployment":
            want = obj.get("status") or {}
            assert {k: got["status"].get(k, 0) for k in COUNTS} == \
                {k: want.get(k, 0) for k in COUNTS}, _key(obj)
            checked += 1
        elif obj["kind"] == "Endpoints" and got is None:  # kept by hand: no selector
            svc = derived[("Service", obj["metadata"]["namespace"], obj["metadata"]["name"])]
            assert not svc["spec"].get("selector")
        elif obj["kind"] == "Endpoints":
            assert got.get("subsets") == obj.get("subsets"), _key(obj)
            checked += 1
        elif obj["kind"] == "EndpointSlice":
            svc = obj["metadata"]["labels"]["kubernetes.io/service-name"]
            mine = [o for o in derived.values() if o["kind"] == "EndpointSlice"
                    and o["metadata"]["namespace"] == obj["metadata"]["namespace"]
                    and o["metadata"]["labels"]["kubernetes.io/service-name"] == svc]
            assert len(mine) == 1
            assert mine[0]["endpoints"] == obj["endpoints"]
            # a real slice always names its ports ("" when the Service port has no name)
            assert mine[0]["ports"] == (None if obj["ports"] is None  # a placeholder slice
                                        else [{"name": "", **p} for p in obj["ports"]])
            checked += 1
    assert checked


def test_explicit_values_are_kept() -> None:
    api = _serve("crashloop")
    payments = _get(api, "/apis/apps/v1/namespaces/shop/deployments/payments")["status"]
    assert {c["type"]: c["reason"] for c in payments["conditions"]}["Progressing"] == \
        "ProgressDeadlineExceeded"
    hpa = _get(api, "/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers/checkout")
    assert hpa["status"]["currentMetrics"][0]["resource"]["current"]["averageUtilization"] == 94
    scenario = load_scenario("crashloop")
    scenario.objects.append({"apiVersion": "v1", "kind": "Endpoints",
                             "metadata": {"name": "frontend", "namespace": "shop"}})
    stale = _get(_serve(scenario), "/api/v1/namespaces/shop/endpoints/frontend")
    assert "subsets" not in stale  # a broken state the scenario chose stays broken


def _pod(name: str, ready: bool, cpu: str = "100m", memory: str = "64Mi") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "team", "labels": {"app": "api"}},
            "spec": {"nodeName": "n1", "containers": [{"name": "api", "resources": {
                "requests": {"cpu": cpu, "memory": memory},
                "limits": {"cpu": "1", "memory": "128Mi"}}}]},
            "status": {"phase": "Running", "podIP": f"10.0.0.{len(name)}",
                       "conditions": [{"type": "Ready", "status": str(ready)}]}}


def _team(metrics: dict[str, Any] | None = None, **extra: Any) -> Scenario:
    objects = [
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}},
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "api", "namespace": "team"},
         "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "api"}}}},
        _pod("api-1", True), _pod("api-22", True, cpu="300m"),
        {"apiVersion": "v1", "kind": "ResourceQuota",
         "metadata": {"name": "compute", "namespace": "team"},
         "spec": {"hard": {"requests.cpu": "2", "limits.memory": "1Gi", "pods": "10",
                           "count/deployments.apps": "5"}}},
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
         "metadata": {"name": "api", "namespace": "team"},
         "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                     "name": "api"},
                  "minReplicas": 1, "maxReplicas": 10, "metrics": [{"type": "Resource",
                  "resource": {"name": "cpu", "target": {"type": "Utilization",
                                                          "averageUtilization": 50}}}]}},
    ]
    return Scenario(name="team", objects=objects, metrics=metrics, **extra)


def test_quota_used_is_counted() -> None:
    quota = _get(_serve(_team()), "/api/v1/namespaces/team/resourcequotas/compute")["status"]
    assert quota["hard"] == {"requests.cpu": "2", "limits.memory": "1Gi", "pods": "10",
                             "count/deployments.apps": "5"}
    assert quota["used"] == {"requests.cpu": "400m", "limits.memory": "256Mi", "pods": "2",
                             "count/deployments.apps": "1"}


def test_hpa_status_follows_metrics() -> None:
    metrics = {"pods": {"team/api-1": {"api": {"cpu": "150m"}},
                        "team/api-22": {"api": {"cpu": "450m"}}}}
    status = _get(_serve(_team(metrics)),
                  "/apis/autoscaling/v2/namespaces/team/horizontalpodautoscalers/api")["status"]
    # 600m used of 400m requested = 150% against a 50% target: 2 pods * 3 = 6
    assert status["currentMetrics"][0]["resource"]["current"] == {
        "averageUtilization": 150, "averageValue": "300m"}
    assert (status["currentReplicas"], status["desiredReplicas"]) == (2, 6)
    scenario = _team(metrics)
    scenario.objects.append({
        "apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "api-v1", "namespace": "team"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"},
                 "maxReplicas": 4, "targetCPUUtilizationPercentage": 100}})
    v1 = _get(_serve(scenario),
              "/apis/autoscaling/v1/namespaces/team/horizontalpodautoscalers/api-v1")["status"]
    assert v1 == {"currentReplicas": 2, "desiredReplicas": 3,
                  "currentCPUUtilizationPercentage": 150}
    blind = _get(_serve(_team()),
                 "/apis/autoscaling/v2/namespaces/team/horizontalpodautoscalers/api")["status"]
    active = next(c for c in blind["conditions"] if c["type"] == "ScalingActive")
    assert active["status"] == "False" and active["reason"] == "FailedGetResourceMetric"
    assert blind["desiredReplicas"] == 2


def test_no_metrics_section_no_metrics_api() -> None:
    api = _serve(_team())
    resp = api.handle(SimRequest("GET", "/apis/metrics.k8s.io/v1beta1/nodes"))
    assert resp.code == 404
    assert "metrics.k8s.io" not in [g["name"] for g in _get(api, "/apis")["groups"]]


def test_metrics_for_unknown_pod_is_a_scenario_error() -> None:
    with pytest.raises(ScenarioError, match="team/nope"):
        _serve(_team({"pods": {"team/nope": {"api": {"cpu": "1m"}}}}))


def test_events_of_deleted_objects_and_writes_through_either_api() -> None:
    api = _serve("crashloop")
    api.state.delete(api.routes.resources[("batch", "v1", "jobs")], "shop",
                     "nightly-report-29412345")
    selector = "involvedObject.kind=Job,involvedObject.name=nightly-report-29412345"
    core = _get(api, "/api/v1/namespaces/shop/events", f"fieldSelector={selector}")["items"]
    new = _get(api, "/apis/events.k8s.io/v1/namespaces/shop/events",
               "fieldSelector=regarding.name=nightly-report-29412345")["items"]
    assert [e["reason"] for e in core] == [e["reason"] for e in new] == ["BackoffLimitExceeded"]
    written = _get(api, "/apis/events.k8s.io/v1/namespaces/shop/events", method="POST", body={
        "metadata": {"name": "probe.1"}, "eventTime": "2026-01-01T00:00:00.000000Z",
        "reportingController": "example.com/prober", "reportingInstance": "prober-1",
        "action": "Probe", "reason": "Unhealthy", "type": "Warning", "note": "probe failed",
        "regarding": {"kind": "Pod", "namespace": "shop", "name": "cart-5f6d7c8b9-k2j4h"}})
    assert written["apiVersion"] == "events.k8s.io/v1" and written["note"] == "probe failed"
    core_view = _get(api, "/api/v1/namespaces/shop/events/probe.1")
    assert core_view["message"] == "probe failed"
    assert core_view["involvedObject"]["name"] == "cart-5f6d7c8b9-k2j4h"
    assert core_view["reportingComponent"] == "example.com/prober"
    assert core_view["firstTimestamp"] is None and core_view["source"] == {}


def test_daemonset_and_statefulset_status() -> None:
    nodes = [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": n}, "spec": spec}
             for n, spec in (("n1", {}), ("n2", {"taints": [{"key": "gpu", "effect":
                                                              "NoSchedule"}]}),
                             ("n3", {"taints": [{"key": "node.kubernetes.io/memory-pressure",
                                                 "effect": "NoSchedule"}]}))]
    ds = {"apiVersion": "apps/v1", "kind": "DaemonSet",
          "metadata": {"name": "agent", "namespace": "team"},
          "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": {"spec": {}}}}
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet",
           "metadata": {"name": "db", "namespace": "team"},
           "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "db"}}}}
    pods = []
    for name, app, node, ready in (("agent-a", "agent", "n1", True),
                                   ("agent-c", "agent", "n3", False),
                                   ("db-0", "db", "n1", True), ("db-1", "db", "n3", False)):
        pod = _pod(name, ready)
        pod["metadata"]["labels"] = {"app": app}
        pod["spec"]["nodeName"] = node
        pods.append(pod)
    api = _serve(Scenario(name="ds", objects=[*nodes, ds, sts, *pods]))
    status = _get(api, "/apis/apps/v1/namespaces/team/daemonsets/agent")["status"]
    # n2's taint is not tolerated; the memory-pressure taint is, as for every DaemonSet pod
    assert {k: status[k] for k in ("desiredNumberScheduled", "currentNumberScheduled",
                                   "numberReady", "numberUnavailable")} == {
        "desiredNumberScheduled": 2, "currentNumberScheduled": 2, "numberReady": 1,
        "numberUnavailable": 1}
    status = _get(api, "/apis/apps/v1/namespaces/team/statefulsets/db")["status"]
    assert (status["replicas"], status["readyReplicas"]) == (2, 1)


def test_hpa_served_through_v1_and_v2() -> None:
    """One stored HPA, two versions, converted the way the apiserver converts them."""
    api = _serve("crashloop")
    v2 = _get(api, "/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers/checkout")
    v1 = _get(api, "/apis/autoscaling/v1/namespaces/shop/horizontalpodautoscalers/checkout")
    assert v1["apiVersion"] == "autoscaling/v1" and v1["metadata"]["uid"] == v2["metadata"]["uid"]
    assert "targetCPUUtilizationPercentage" not in v1["spec"]  # a memory target: annotation
    annotations = v1["metadata"]["annotations"]
    assert json.loads(annotations["autoscaling.alpha.kubernetes.io/metrics"]) == \
        v2["spec"]["metrics"]
    assert json.loads(annotations["autoscaling.alpha.kubernetes.io/conditions"]) == \
        v2["status"]["conditions"]
    assert (v1["status"]["currentReplicas"], v1["status"]["desiredReplicas"]) == (2, 2)
    listed = _get(api, "/apis/autoscaling/v1/namespaces/shop/horizontalpodautoscalers")
    assert [h["metadata"]["name"] for h in listed["items"]] == ["checkout"]
