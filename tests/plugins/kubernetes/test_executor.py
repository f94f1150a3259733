"""The executor, called with parsed APISpecs against the simulated cluster over TLS."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from mcp_sre.sandbox.models import ProviderCallError
from mcp_sre.specs.model import APISpec
from mcp_sre_kubernetes.connection import KubernetesConfigError, resolve_target
from mcp_sre_kubernetes.executor import STREAM_LIMIT_S, execute_operation, prepare_call
from mcp_sre_kubernetes.sim import SimServer


def op(specs: dict[str, APISpec], name: str) -> APISpec:
    return next(s for s in specs.values() if s.name == name)


def test_list_read_and_logs(k8s_specs, sim: SimServer, kubeconfig: Path) -> None:
    ctx = {"kubeconfig": str(kubeconfig)}
    pods = execute_operation(op(k8s_specs, "listCoreV1NamespacedPod"),
                             {"namespace": "shop", "labelSelector": "app=payments"}, ctx)
    assert pods["kind"] == "PodList" and len(pods["items"]) == 4
    json.dumps(pods)  # JSON-safe as it is
    log = execute_operation(op(k8s_specs, "readCoreV1NamespacedPodLog"),
                            {"name": "checkout-6d5f9c7b8-9wq7z", "namespace": "shop",
                             "previous": True, "tailLines": 2}, ctx)
    assert isinstance(log, str) and log.count("\n") == 2 and "256Mi" in log
    events = execute_operation(op(k8s_specs, "listCoreV1EventForAllNamespaces"),
                               {"fieldSelector": "type=Warning"}, ctx)
    assert {e["reason"] for e in events["items"]} >= {"OOMKilling", "FailedScheduling",
                                                      "ProvisioningFailed", "BackOff"}
    version = execute_operation(op(k8s_specs, "getCodeVersion"), {}, ctx)
    assert version["gitVersion"] == "v1.36.0"
    crs = execute_operation(op(k8s_specs, "listNamespacedCustomObject"),
                            {"group": "apps", "version": "v1", "namespace": "shop",
                             "plural": "deployments"}, ctx)
    assert len(crs["items"]) == 4


def test_the_token_stays_on_the_host(k8s_specs, sim: SimServer, kubeconfig: Path) -> None:
    before = len(sim.requests_matching("GET", "/api/v1/nodes"))
    nodes = execute_operation(op(k8s_specs, "listCoreV1Node"), {},
                              {"kubeconfig": str(kubeconfig)})
    seen = sim.requests_matching("GET", "/api/v1/nodes")
    assert len(seen) == before + 1 and seen[-1].authorized  # the host sent the token...
    assert sim.token and sim.token not in json.dumps(nodes)  # ...and returned only data
    with pytest.raises(ProviderCallError) as err:
        execute_operation(op(k8s_specs, "readCoreV1NamespacedPod"),
                          {"name": "nope", "namespace": "shop"}, {"kubeconfig": str(kubeconfig)})
    assert sim.token not in str(err.value)


def test_api_errors_become_provider_errors(k8s_specs, kubeconfig: Path) -> None:
    with pytest.raises(ProviderCallError) as err:
        execute_operation(op(k8s_specs, "readCoreV1NamespacedPod"),
                          {"name": "nope", "namespace": "shop"}, {"kubeconfig": str(kubeconfig)})
    assert (err.value.status, err.value.code) == (404, "NotFound")
    assert 'pods "nope" not found' in str(err.value)
    with pytest.raises(ProviderCallError) as err:
        execute_operation(op(k8s_specs, "listCoreV1PodForAllNamespaces"),
                          {"fieldSelector": "spec.image=x"}, {"kubeconfig": str(kubeconfig)})
    assert (err.value.status, err.value.code) == (400, "BadRequest")


def test_parameters_are_checked_and_snake_case_accepted(k8s_specs) -> None:
    spec = op(k8s_specs, "listCoreV1NamespacedPod")
    path, query, body = prepare_call(spec, {"label_selector": "a=b", "_continue": "t",
                                            "limit": 5}, "team-a")
    assert path == {"namespace": "team-a"} and body is None
    assert dict(query) == {"labelSelector": "a=b", "continue": "t", "limit": 5}
    with pytest.raises(ProviderCallError) as err:
        prepare_call(spec, {"labelselektor": "a=b"}, "default")
    assert err.value.kind == "validation_error" and "labelSelector" in str(err.value)
    with pytest.raises(ProviderCallError, match="missing required parameter"):
        prepare_call(op(k8s_specs, "readCoreV1NamespacedPod"), {"namespace": "x"}, "default")


@pytest.mark.parametrize("group", ["../api", "core/../../api", "%2e%2e", ".."])
def test_path_parameters_cannot_steer_to_another_resource(k8s_specs, group: str) -> None:
    spec = op(k8s_specs, "getNamespacedCustomObject")  # a read; Secrets live at /api/v1
    params = {"group": group, "version": "v1", "namespace": "shop", "plural": "secrets",
              "name": "payments-db-credentials"}
    with pytest.raises(ProviderCallError, match="is not a valid name") as err:
        prepare_call(spec, params, "default")
    assert err.value.kind == "validation_error"


def test_streams_are_bounded(k8s_specs) -> None:
    _, query, _ = prepare_call(op(k8s_specs, "listCoreV1NamespacedPod"),
                               {"namespace": "a", "watch": True, "timeoutSeconds": 3600}, "d")
    assert dict(query)["timeoutSeconds"] == STREAM_LIMIT_S
    _, query, _ = prepare_call(op(k8s_specs, "readCoreV1NamespacedPodLog"),
                               {"namespace": "a", "name": "p", "follow": True}, "d")
    assert dict(query)["follow"] is False


def test_watch_returns_events(k8s_specs, kubeconfig: Path) -> None:
    events = execute_operation(op(k8s_specs, "listCoreV1NamespacedPod"),
                               {"namespace": "kube-system", "watch": True},
                               {"kubeconfig": str(kubeconfig)})
    assert [e["type"] for e in events] == ["ADDED", "ADDED"]


def test_cluster_selection(k8s_specs, sim: SimServer, kubeconfig: Path, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    # a kubeconfig with two contexts; the second one's default namespace is kube-system
    cfg = yaml.safe_load(kubeconfig.read_text())
    cfg["contexts"].append({"name": "ops", "context": {**cfg["contexts"][0]["context"],
                                                      "namespace": "kube-system"}})
    two = tmp_path / "two-contexts"
    two.write_text(yaml.safe_dump(cfg))
    spec = op(k8s_specs, "listCoreV1NamespacedPod")
    shop_default = {"kubeconfig": str(two)}
    monkeypatch.setenv("MCP_SRE_K8S_CONTEXT", "ops")
    pods = execute_operation(spec, {"namespace": ""}, shop_default)
    assert {p["metadata"]["namespace"] for p in pods["items"]} == {"kube-system"}
    pods = execute_operation(spec, {}, {**shop_default, "namespace": "shop"})
    assert {p["metadata"]["namespace"] for p in pods["items"]} == {"shop"}
    monkeypatch.setenv("KUBECONFIG", str(two))
    assert resolve_target({}).context == "ops"
    monkeypatch.setenv("MCP_SRE_K8S_CONTEXT", "missing")
    with pytest.raises(ProviderCallError, match="cannot load kubeconfig"):
        execute_operation(spec, {}, {})


def test_no_cluster_is_a_clear_error(k8s_specs) -> None:
    with pytest.raises(KubernetesConfigError, match="no Kubernetes cluster configured"):
        resolve_target({})
    with pytest.raises(ProviderCallError) as err:
        execute_operation(op(k8s_specs, "listCoreV1Node"), {}, {})
    assert err.value.code == "ClusterNotConfigured" and "KUBECONFIG" in str(err.value)


def test_unreachable_cluster(k8s_specs, tmp_path: Path) -> None:
    cfg = {"apiVersion": "v1", "kind": "Config", "current-context": "gone",
           "clusters": [{"name": "gone", "cluster": {"server": "http://127.0.0.1:9"}}],
           "users": [{"name": "u", "user": {"token": "t"}}],
           "contexts": [{"name": "gone", "context": {"cluster": "gone", "user": "u"}}]}
    path = tmp_path / "gone"
    path.write_text(yaml.safe_dump(cfg))
    with pytest.raises(ProviderCallError) as err:
        execute_operation(op(k8s_specs, "listCoreV1Node"), {},
                          {"kubeconfig": str(path), "timeout_s": 2})
    assert err.value.code == "ConnectionError" and "127.0.0.1:9" in str(err.value)


def test_not_my_provider(k8s_specs) -> None:
    other = op(k8s_specs, "listCoreV1Node").model_copy(update={"provider": "aws"})
    assert execute_operation(other, {}, {}) is None
