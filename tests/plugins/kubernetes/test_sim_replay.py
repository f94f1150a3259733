"""Replayable clusters: a ``kubectl cluster-info dump --output-directory`` folder (written by
real kubectl, or by ``mcp-sre snapshot``) served by the simulator shows what the source
cluster showed, and a snapshot never holds a Secret's values."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mcp_sre.cli import main
from mcp_sre_kubernetes.sim import DEFAULT_TOKEN, ScenarioError, SimServer, load_scenario
from mcp_sre_kubernetes.sim.api import SimRequest
from mcp_sre_kubernetes.sim.cli import k8s_sim
from mcp_sre_kubernetes.sim.dump import parse_log_blocks
from mcp_sre_kubernetes.sim.logs import parse_time
from mcp_sre_kubernetes.sim.scenario import ForbiddenRule
from mcp_sre_kubernetes.sim.timeshift import capture_time, shift_to

from .conftest import SWAGGER

KUBECTL = shutil.which("kubectl")
VOLATILE = ("resourceVersion",)


def _get(api: Any, path: str, query: str = "") -> Any:
    resp = api.handle(SimRequest("GET", path, query, {"Authorization": f"Bearer {DEFAULT_TOKEN}"}))
    if resp.content_type.startswith("application/json"):
        return resp.code, json.loads(resp.body)
    return resp.code, resp.body.decode()


def _typed(value: Any) -> Any:
    """What survives kubectl's typed re-encoding either way: it prints unset times as null and
    unset structs as {}, and leaves out zero counts (``omitempty``)."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items() if v not in (None, {}, 0)}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return value


def _stable(obj: dict[str, Any], typed: bool = False) -> dict[str, Any]:
    volatile = VOLATILE + (("creationTimestamp",) if "window" in obj else ())  # metrics-server
    meta = {k: v for k, v in obj["metadata"].items() if k not in volatile}  # stamps it per read
    obj = {**obj, "metadata": meta}
    return _typed(obj) if typed else obj


def _same_lists(source: Any, replay: Any, paths: list[str], typed: bool = False) -> None:
    for path in paths:
        code_a, want = _get(source, path)
        code_b, got = _get(replay, path)
        assert (code_a, code_b) == (200, 200), path
        assert json.dumps([_stable(o, typed) for o in got["items"]], indent=1, sort_keys=True) \
            == json.dumps([_stable(o, typed) for o in want["items"]], indent=1,
                          sort_keys=True), path


def _same_logs(source: Any, replay: Any, namespace: str, previous: bool) -> int:
    compared = 0
    _, pods = _get(source, f"/api/v1/namespaces/{namespace}/pods")
    for pod in pods["items"]:
        name = pod["metadata"]["name"]
        for c in pod["spec"]["containers"]:
            query = f"container={c['name']}" + ("&previous=true" if previous else "")
            want = _get(source, f"/api/v1/namespaces/{namespace}/pods/{name}/log", query)
            got = _get(replay, f"/api/v1/namespaces/{namespace}/pods/{name}/log", query)
            assert got == want, (name, c["name"], previous)
            compared += want[0] == 200 and bool(want[1])
    return compared


@pytest.fixture
def source():
    with SimServer("crashloop", swagger=SWAGGER) as server:
        yield server


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")
def test_real_kubectl_dump_replays(source: SimServer, tmp_path: Path) -> None:
    kubeconfig = source.write_kubeconfig(tmp_path / "kubeconfig")
    out = tmp_path / "dump"
    subprocess.run([str(KUBECTL), "cluster-info", "dump", "--namespaces", "shop,kube-system",
                    "--output-directory", str(out)], check=True, capture_output=True,
                   timeout=120, env={**os.environ, "KUBECONFIG": str(kubeconfig),
                                     "HOME": str(tmp_path)})
    assert (out / "shop" / "replication-controllers.json").is_file()
    replay = SimServer(out, swagger=SWAGGER, tls=False, token=None).api
    _same_lists(source.api, replay, [
        "/api/v1/namespaces/shop/pods", "/api/v1/namespaces/shop/services",
        "/apis/apps/v1/namespaces/shop/deployments", "/api/v1/namespaces/kube-system/pods",
        "/apis/apps/v1/namespaces/shop/replicasets"], typed=True)
    # kubectl re-encodes nodes through its types (quantities as strings, defaulted ports)
    _, nodes = _get(source.api, "/api/v1/nodes")
    _, replayed_nodes = _get(replay, "/api/v1/nodes")
    assert [(_stable(n)["metadata"], n["status"]["conditions"])
            for n in replayed_nodes["items"]] == \
        [(_stable(n)["metadata"], n["status"]["conditions"]) for n in nodes["items"]]
    _, events = _get(source.api, "/api/v1/namespaces/shop/events")
    _, replayed = _get(replay, "/apis/events.k8s.io/v1/namespaces/shop/events")
    assert [e["note"] for e in replayed["items"]] == [e["message"] for e in events["items"]]
    assert _same_logs(source.api, replay, "shop", previous=False) >= 3
    # kubectl dumps no previous runs and no Endpoints: the replay derives the Endpoints
    _, eps = _get(replay, "/api/v1/namespaces/shop/endpoints/checkout")
    assert len(eps["subsets"][0]["addresses"]) == 1


def test_snapshot_round_trip(source: SimServer, tmp_path: Path) -> None:
    kubeconfig = source.write_kubeconfig(tmp_path / "kubeconfig")
    out = tmp_path / "snap"
    result = CliRunner().invoke(main, ["snapshot", "--namespace", "shop", "--kubeconfig",
                                       str(kubeconfig), str(out)])
    assert result.exit_code == 0, result.output
    assert "1 secrets with values removed" in result.output
    assert all(r.method == "GET" for r in source.requests_matching())
    replay = SimServer(out, swagger=SWAGGER, tls=False, token=None).api
    _same_lists(source.api, replay, [
        "/api/v1/nodes", "/api/v1/namespaces/shop/pods", "/api/v1/namespaces/shop/events",
        "/apis/apps/v1/namespaces/shop/deployments", "/apis/apps/v1/namespaces/shop/replicasets",
        "/apis/apps/v1/namespaces/shop/statefulsets", "/api/v1/namespaces/shop/services",
        "/api/v1/namespaces/shop/endpoints", "/api/v1/namespaces/shop/persistentvolumeclaims",
        "/apis/batch/v1/namespaces/shop/jobs", "/apis/batch/v1/namespaces/shop/cronjobs",
        "/apis/networking.k8s.io/v1/namespaces/shop/ingresses",
        "/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers",
        "/apis/storage.k8s.io/v1/storageclasses", "/api/v1/namespaces/shop/configmaps",
        "/apis/metrics.k8s.io/v1beta1/nodes", "/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods",
        "/apis/cert-manager.io/v1/namespaces/shop/certificates",
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"])
    assert _same_logs(source.api, replay, "shop", previous=False) >= 3
    assert _same_logs(source.api, replay, "shop", previous=True) >= 1


def test_snapshot_never_writes_secret_values(source: SimServer, tmp_path: Path) -> None:
    kubeconfig = source.write_kubeconfig(tmp_path / "kubeconfig")
    token = base64.b64encode(b"tok-9f8e7d6c5b4a").decode()
    applied = json.dumps({"apiVersion": "v1", "kind": "Secret", "data": {"token": token}})
    source.state.put(source.state.routes.resources[("", "v1", "secrets")], "shop", {
        "metadata": {"name": "api-token", "annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": applied}},
        "type": "Opaque", "data": {"token": token}}, create=True)
    _, secrets = _get(source.api, "/api/v1/namespaces/shop/secrets")
    values = [v for s in secrets["items"] for v in (s.get("data") or {}).values()]
    assert len(values) == 3
    out = tmp_path / "snap"
    result = CliRunner().invoke(main, ["snapshot", "-n", "shop", "--kubeconfig",
                                       str(kubeconfig), str(out)])
    assert result.exit_code == 0, result.output
    written = "".join(p.read_text() for p in out.rglob("*") if p.is_file())
    for value in values:
        assert value not in written
        plain = base64.b64decode(value).decode()
        assert len(plain) < 10 or plain not in written  # ("payments" also names a Deployment)
    replay = SimServer(out, swagger=SWAGGER, tls=False, token=None).api
    _, got = _get(replay, "/api/v1/namespaces/shop/secrets")
    assert [sorted(s["data"]) for s in got["items"]] == \
        [sorted(s["data"]) for s in secrets["items"]]
    assert all(v == "" for s in got["items"] for v in s["data"].values())
    again = CliRunner().invoke(main, ["snapshot", "-n", "shop", "--kubeconfig",
                                      str(kubeconfig), str(out)])
    assert again.exit_code != 0 and "not an empty folder" in again.output


def _minimal_dump(root: Path) -> Path:
    (root / "shop").mkdir(parents=True)
    (root / "nodes.json").write_text(json.dumps({"kind": "NodeList", "apiVersion": "v1",
                                                 "items": [{"metadata": {"name": "n1"}}]}))
    (root / "shop" / "pods.json").write_text(json.dumps({
        "kind": "PodList", "apiVersion": "v1", "items": [{
            "metadata": {"name": "p1"}, "spec": {"containers": [{"name": "app"}]},
            "status": {"phase": "Running"}}]}))
    return root


def test_dump_extras_and_previous_logs(tmp_path: Path) -> None:
    root = _minimal_dump(tmp_path / "d")
    (root / "shop" / "p1").mkdir()
    (root / "shop" / "p1" / "logs.txt").write_text(
        "==== START logs for container app of pod shop/p1 ====\nnow\n"
        "==== END logs for container app of pod shop/p1 ====\n")
    (root / "shop" / "p1" / "logs-previous.txt").write_text(
        "==== START logs for container app of pod shop/p1 ====\nbefore the crash"
        "==== END logs for container app of pod shop/p1 ====\n")
    (root / "shop" / "persistentvolumeclaims.json").write_text(json.dumps({
        "kind": "List", "apiVersion": "v1", "items": [{
            "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
            "status": {"phase": "Pending"}}]}))
    (root / "storageclasses.json").write_text(json.dumps({
        "kind": "StorageClassList", "apiVersion": "storage.k8s.io/v1",
        "items": [{"metadata": {"name": "fast"}, "provisioner": "x"}]}))
    api = SimServer(root, swagger=SWAGGER, tls=False, token=None).api
    assert _get(api, "/api/v1/namespaces/shop/pods/p1/log", "previous=true") == \
        (200, "before the crash\n")
    assert _get(api, "/api/v1/namespaces/shop/persistentvolumeclaims/data")[1]["status"] == \
        {"phase": "Pending"}
    assert _get(api, "/apis/storage.k8s.io/v1/storageclasses/fast")[0] == 200


@pytest.mark.parametrize(("breakage", "message"), [
    (lambda r: (r / "nodes.json").unlink(), "has no nodes.json"),
    (lambda r: (r / "shop" / "pods.json").write_text("{not json"), "pods.json: not valid JSON"),
    (lambda r: (r / "shop" / "pods.json").write_text('{"kind": "List", "items": [{}]}'),
     "pods.json: item #0 has no kind"),
    (lambda r: (r / "shop" / "events.json").write_text("[]"), "events.json: expected a"),
    (lambda r: ((r / "shop" / "p1").mkdir(), (r / "shop" / "p1" / "logs.txt").write_text(
        "==== START logs for container app of pod shop/p1 ====\ncut short\n")),
     "logs.txt: the block for container 'app' has no '==== END"),
])
def test_broken_dump_names_the_file(tmp_path: Path, breakage, message: str) -> None:
    root = _minimal_dump(tmp_path / "d")
    breakage(root)
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(")) as err:
        load_scenario(root)
    assert str(root) in str(err.value)
    result = CliRunner().invoke(k8s_sim, ["--scenario", str(root)])
    assert result.exit_code == 1 and message.split(":")[0] in result.output
    assert "Traceback" not in result.output


def test_log_blocks_with_kubectl_errors() -> None:
    text = ("==== START logs for container init of pod a/b ====\n"
            "Request log error: container \"init\" in pod \"b\" is waiting to start\n"
            "==== END logs for container init of pod a/b ====\n"
            "==== START logs for container app of pod a/b ====\n"
            "line 1\nline 2\n"
            "==== END logs for container app of pod a/b ====\n")
    assert parse_log_blocks(text, Path("x")) == {"init": None, "app": "line 1\nline 2\n"}


def test_snapshot_skips_what_rbac_forbids(tmp_path: Path) -> None:
    scenario = load_scenario("crashloop")
    scenario.forbidden.append(ForbiddenRule(resource="secrets", verbs=["list"]))
    with SimServer(scenario, swagger=SWAGGER) as server:
        kubeconfig = server.write_kubeconfig(tmp_path / "kubeconfig")
        result = CliRunner().invoke(main, ["snapshot", "-n", "shop,kube-system",
                                           "--kubeconfig", str(kubeconfig), str(tmp_path / "s")])
        missing = CliRunner().invoke(main, ["snapshot", "-n", "nope", "--kubeconfig",
                                            str(kubeconfig), str(tmp_path / "t")])
    assert result.exit_code == 0, result.output
    assert "skipped secrets.json: 403" in result.output and "cannot list resource" in result.output
    assert not (tmp_path / "s" / "shop" / "secrets.json").exists()
    assert (tmp_path / "s" / "kube-system" / "pods.json").is_file()
    assert missing.exit_code == 1 and "namespace 'nope' not found" in missing.output


def test_shift_to_now_moves_a_dump_in_time(source: SimServer, tmp_path: Path) -> None:
    kubeconfig = source.write_kubeconfig(tmp_path / "kubeconfig")
    out = tmp_path / "snap"
    assert CliRunner().invoke(main, ["snapshot", "-n", "shop", "--kubeconfig", str(kubeconfig),
                                     str(out)]).exit_code == 0
    dump = load_scenario(out)
    captured = capture_time(dump)
    assert captured is not None
    later = captured + timedelta(days=3, seconds=7)
    moved = shift_to(dump, later)
    assert capture_time(moved) == later
    pod = next(o for o in moved.objects if o["metadata"]["name"] == "checkout-6d5f9c7b8-9wq7z")
    was = next(o for o in dump.objects if o["metadata"]["name"] == "checkout-6d5f9c7b8-9wq7z")
    assert parse_time(pod["status"]["startTime"]) - parse_time(was["status"]["startTime"]) == \
        later - captured
    logs = moved.logs["shop/checkout-6d5f9c7b8-9wq7z"]["checkout"].previous
    assert logs.startswith("2026-11-28T09:52:47.551Z INFO")  # 2026-11-25T09:52:40.551Z + 3d 7s
