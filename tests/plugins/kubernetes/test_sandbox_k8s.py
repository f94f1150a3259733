"""Ordinary ``kubernetes``-client code in the wasm sandbox, against the simulated cluster,
through the real bridge and policy: reads work; writes, exec and Secret reads are refused by
the policy before anything reaches the API server."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mcp_sre.config import load_settings
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.sandbox import Sandbox
from mcp_sre_kubernetes.sim import SimServer

from .test_sim import request

if str(Path(__file__).resolve().parents[2]) not in sys.path:  # tests/ holds conftest_moto
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from conftest_moto import SpecLookup


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    """A private cluster for this module: the refusal tests check that nothing changed."""
    from .conftest import SWAGGER

    with SimServer("crashloop", swagger=SWAGGER) as server:
        yield server, server.write_kubeconfig(tmp_path_factory.mktemp("kube") / "config")


@pytest.fixture(scope="module")
def sandbox(cluster, k8s_specs, module_dir: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    _, kubeconfig = cluster
    box = Sandbox(load_settings(home=tmp_path_factory.mktemp("home")),
                  make_plugin_manager(only={"kubernetes"}), SpecLookup(k8s_specs),
                  context={"kubernetes": {"kubeconfig": str(kubeconfig)}},
                  module_dir=module_dir)
    box.warm()
    return box


def test_sandboxed_code_lists_pods_reads_logs_and_events(sandbox: Sandbox, cluster) -> None:
    server, _ = cluster
    code = '''
from kubernetes import client, config
config.load_kube_config()
v1 = client.CoreV1Api()
report = {}
for pod in v1.list_namespaced_pod("shop").items:
    for cs in pod.status.container_statuses or []:
        waiting = cs.state.waiting
        if waiting and waiting.reason in ("CrashLoopBackOff", "ImagePullBackOff"):
            last = cs.last_state.terminated
            report[pod.metadata.name] = {
                "reason": waiting.reason,
                "last": last.reason if last else None,
                "limit": pod.spec.containers[0].resources.limits["memory"],
                "restarts": cs.restart_count,
            }
crashing = [n for n, r in report.items() if r["reason"] == "CrashLoopBackOff"][0]
tail = v1.read_namespaced_pod_log(crashing, "shop", previous=True, tail_lines=2)
events = v1.list_namespaced_event(
    "shop", field_selector="involvedObject.name=" + crashing + ",type=Warning")
stuck = [d.metadata.name for d in client.AppsV1Api().list_namespaced_deployment("shop").items
         if d.status.unavailable_replicas]
certs = client.CustomObjectsApi().list_namespaced_custom_object(
    "cert-manager.io", "v1", "shop", "certificates")
not_ready = [c["metadata"]["name"] for c in certs["items"]
             if any(x["type"] == "Ready" and x["status"] != "True"
                    for x in c["status"]["conditions"])]
print(crashing, report[crashing]["last"])
sre.result({"report": report, "tail": tail, "events": [e.reason for e in events.items],
            "unavailable": stuck, "certs": not_ready})
'''
    result = sandbox.run(code, providers=["kubernetes"])
    assert result.ok, (result.error, result.stderr)
    report = result.result["report"]
    assert report["checkout-6d5f9c7b8-9wq7z"] == {"reason": "CrashLoopBackOff",
                                                 "last": "OOMKilled", "limit": "256Mi",
                                                 "restarts": 14}
    assert report["payments-7f8b9c6d5-q8x2m"]["reason"] == "ImagePullBackOff"
    assert "99% of the container memory limit 256Mi" in result.result["tail"]
    assert result.result["events"] == ["BackOff"]
    assert result.result["unavailable"] == ["checkout", "payments"]
    assert result.result["certs"] == ["shop-tls"]
    assert result.stdout == "checkout-6d5f9c7b8-9wq7z OOMKilled\n"
    assert all(c.decision == "allowed" for c in result.calls)
    assert server.token and server.token not in result.model_dump_json()


def test_delete_is_refused_and_the_pod_is_still_there(sandbox: Sandbox, cluster) -> None:
    server, _ = cluster
    code = '''
from kubernetes import client
client.CoreV1Api().delete_namespaced_pod("checkout-6d5f9c7b8-9wq7z", "shop")
'''
    result = sandbox.run(code, providers=["kubernetes"])
    assert not result.ok and result.error and result.error.type == "policy_denied"
    assert "write operation" in result.error.message
    assert [(c.operation, c.decision) for c in result.calls] == [
        ("kubernetes/core_v1/deleteCoreV1NamespacedPod", "denied")]
    assert server.requests_matching("DELETE") == []
    code_, pod, _ = request(server, "GET", "/api/v1/namespaces/shop/pods/checkout-6d5f9c7b8-9wq7z")
    assert code_ == 200 and pod["metadata"]["name"] == "checkout-6d5f9c7b8-9wq7z"


def test_secret_reads_and_exec_are_refused(sandbox: Sandbox, cluster) -> None:
    server, _ = cluster
    code = '''
import sre
from kubernetes import client
from kubernetes.stream import stream
v1 = client.CoreV1Api()
refused = []
for attempt in (
    lambda: v1.read_namespaced_secret("payments-db-credentials", "shop"),
    lambda: v1.list_secret_for_all_namespaces(),
    lambda: sre.call("kubernetes/core_v1/listCoreV1NamespacedSecret", namespace="shop"),
    lambda: stream(v1.connect_get_namespaced_pod_exec, "cart-5f6d7c8b9-k2j4h", "shop",
                   command="env", stdout=True),
):
    try:
        attempt()
    except sre.PolicyDenied as exc:
        refused.append(exc.operation)
sre.result(refused)
'''
    result = sandbox.run(code, providers=["kubernetes"])
    # a refusal fails the run even when the code caught it: the caller must see it
    assert result.error and result.error.type == "policy_denied", (result.error, result.stderr)
    assert "secret material" in result.error.message
    assert result.result == [
        "kubernetes/core_v1/readCoreV1NamespacedSecret",
        "kubernetes/core_v1/listCoreV1SecretForAllNamespaces",
        "kubernetes/core_v1/listCoreV1NamespacedSecret",
        "kubernetes/core_v1/connectCoreV1GetNamespacedPodExec",
    ]
    assert {c.decision for c in result.calls} == {"denied"}
    assert not server.requests_matching(path_part="/secrets")
    assert not server.requests_matching(path_part="/exec")


def test_api_errors_reach_the_code_as_api_exceptions(sandbox: Sandbox) -> None:
    code = '''
from kubernetes import client
from kubernetes.client.rest import ApiException
try:
    client.AppsV1Api().read_namespaced_deployment("nope", "shop")
except ApiException as exc:
    sre.result({"status": exc.status, "reason": exc.reason})
'''
    result = sandbox.run(code, providers=["kubernetes"])
    assert result.ok, (result.error, result.stderr)
    assert result.result == {"status": 404, "reason": "NotFound"}


def test_sre_pages_follows_continue_tokens(sandbox: Sandbox, cluster) -> None:
    """``sre.pages`` walks Kubernetes ``limit``/``continue`` pages and stops at max_items."""
    server, _ = cluster
    before = len(server.requests_matching("GET", "/namespaces/shop/pods"))
    code = '''
names = []
for page in sre.pages("kubernetes/core_v1/listCoreV1NamespacedPod", {"namespace": "shop"},
                      page_size=2, max_items=5):
    names += [p["metadata"]["name"] for p in page["items"]]
everything = sre.call("kubernetes/core_v1/listCoreV1NamespacedPod", namespace="shop")["items"]
sre.result({"names": names, "total": len(everything)})
'''
    result = sandbox.run(code, providers=["kubernetes"])
    assert result.ok, (result.error, result.stderr)
    names, total = result.result["names"], result.result["total"]
    assert total > 5 and len(names) == 5 and len(set(names)) == 5
    listed = server.requests_matching("GET", "/namespaces/shop/pods")[before:]
    assert len(listed) >= 4  # three pages of two, then the full list
