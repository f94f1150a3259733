"""Real clients against the simulated API server: the official Python client, kubectl (when
installed), and the ``k8s-sim`` command in its own process."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kubernetes import client, config, watch

from mcp_sre_kubernetes.sim import SimServer

from .conftest import PROJECT_ROOT


def _api(kubeconfig: Path) -> client.ApiClient:
    return config.new_client_from_config(config_file=str(kubeconfig), persist_config=False)


def test_official_python_client(sim: SimServer, kubeconfig: Path) -> None:
    api = _api(kubeconfig)
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    pods = core.list_namespaced_pod("shop", label_selector="app=checkout")
    crashing = next(p for p in pods.items if p.status.container_statuses[0].restart_count > 0)
    assert crashing.status.container_statuses[0].state.waiting.reason == "CrashLoopBackOff"
    assert crashing.status.container_statuses[0].last_state.terminated.reason == "OOMKilled"
    assert crashing.metadata.creation_timestamp.tzinfo is not None  # parsed as a datetime
    log = core.read_namespaced_pod_log(crashing.metadata.name, "shop", previous=True,
                                       tail_lines=3)
    assert log.count("\n") == 3 and "256Mi" in log
    deployments = apps.list_namespaced_deployment("shop")
    assert {d.metadata.name for d in deployments.items} == {"cart", "checkout", "frontend",
                                                           "payments"}
    page = core.list_pod_for_all_namespaces(limit=4)
    rest = core.list_pod_for_all_namespaces(limit=100, _continue=page.metadata._continue)
    assert len(page.items) + len(rest.items) == len(core.list_pod_for_all_namespaces().items)
    with pytest.raises(client.ApiException) as err:
        core.read_namespaced_pod("missing", "shop")
    assert err.value.status == 404
    hpa = client.AutoscalingV2Api(api).read_namespaced_horizontal_pod_autoscaler("checkout", "shop")
    assert hpa.status.current_metrics[0].resource.current.average_utilization == 94
    certs = client.CustomObjectsApi(api).list_namespaced_custom_object(
        "cert-manager.io", "v1", "shop", "certificates")
    assert certs["items"][0]["spec"]["dnsNames"] == ["shop.example.com"]
    events = list(watch.Watch().stream(core.list_namespaced_event, "shop", timeout_seconds=1))
    assert events and {e["type"] for e in events} == {"ADDED"}
    assert all(r.authorized for r in sim.requests_matching(path_part="/namespaces/shop"))


def _kubectl_env(kubeconfig: Path, tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "KUBECONFIG": str(kubeconfig), "HOME": str(tmp_path),
            "KUBECACHEDIR": str(tmp_path / "cache")}


def test_kubectl(sim: SimServer, kubeconfig: Path, tmp_path: Path) -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed (Debian: apt-get install kubernetes-client)")
    env = _kubectl_env(kubeconfig, tmp_path)

    def run(*args: str) -> str:
        proc = subprocess.run([kubectl, *args], capture_output=True, text=True, env=env,
                              timeout=60)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    table = run("get", "pods", "-A")
    rows = {line.split()[1]: line.split() for line in table.splitlines()[1:]}
    assert rows["checkout-6d5f9c7b8-9wq7z"][3] == "CrashLoopBackOff"
    assert rows["payments-7f8b9c6d5-q8x2m"][3] == "ImagePullBackOff"
    assert rows["coredns-6f6b679f8f-4xq9w"][0] == "kube-system"
    assert "OOMKilled" in run("get", "pods", "-n", "shop", "-l", "app=checkout", "-o",
                              "jsonpath={.items[*].status.containerStatuses[*].lastState}")
    assert "256Mi" in run("logs", "-n", "shop", "checkout-6d5f9c7b8-9wq7z", "--previous",
                          "--tail=1")
    assert "payments" in run("get", "deploy", "-n", "shop")
    assert "Pending" in run("get", "pvc", "-n", "shop")
    assert "shop-tls" in run("get", "certs", "-n", "shop")  # a CRD's short name


def test_k8s_sim_command(tmp_path: Path) -> None:
    out = tmp_path / "kubeconfig"
    proc = subprocess.Popen(
        [sys.executable, "-c", "from mcp_sre_kubernetes.sim.cli import k8s_sim; k8s_sim()",
         "--scenario", "crashloop", "--kubeconfig-out", str(out)],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not out.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert out.exists(), proc.stderr.read() if proc.stderr else ""
        assert oct(out.stat().st_mode & 0o777) == "0o600"
        pods = client.CoreV1Api(_api(out)).list_namespaced_pod("shop")
        assert len(pods.items) == 10
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0 and "k8s-sim: stopped" in err
