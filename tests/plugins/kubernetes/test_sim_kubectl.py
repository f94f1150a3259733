"""Real kubectl against the simulator: what an SRE types while diagnosing, printed the way a
real cluster prints it (issue 21's targets)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed "
                                "(Debian: apt-get install kubernetes-client)")
CRASHING = "checkout-6d5f9c7b8-9wq7z"


@pytest.fixture
def kubectl(kubeconfig: Path, tmp_path: Path):
    env = {**os.environ, "KUBECONFIG": str(kubeconfig), "HOME": str(tmp_path),
           "KUBECACHEDIR": str(tmp_path / "cache")}

    def run(*args: str, fails: bool = False) -> str:
        proc = subprocess.run([str(KUBECTL), *args], capture_output=True, text=True, env=env,
                              timeout=60)
        assert (proc.returncode != 0) == fails, proc.stderr
        return proc.stderr if fails else proc.stdout

    return run


def _table(text: str) -> tuple[list[str], list[list[str]]]:
    """Header cells and rows of kubectl's column output (cells split on 2+ spaces)."""
    lines = text.rstrip("\n").splitlines()
    return re.split(r"\s{2,}", lines[0].strip()), [re.split(r"\s{2,}", ln.strip())
                                                     for ln in lines[1:]]


def test_get_events_both_apis(kubectl) -> None:
    header, rows = _table(kubectl("get", "events", "-n", "shop"))
    assert header == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    backoff = next(r for r in rows if r[2] == "BackOff")
    assert backoff[1] == "Warning" and backoff[3] == f"pod/{CRASHING}"
    assert "Back-off restarting failed container checkout" in backoff[4]
    wide_header, _ = _table(kubectl("get", "events", "-n", "shop", "-o", "wide"))
    assert wide_header == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE",
                           "MESSAGE", "FIRST SEEN", "COUNT", "NAME"]
    core = json.loads(kubectl("get", "events", "-n", "shop", "-o", "json"))["items"]
    new = json.loads(kubectl("get", "events.v1.events.k8s.io", "-n", "shop", "-o", "json"))
    assert new["items"] and len(new["items"]) == len(core)
    by_name = {e["metadata"]["name"]: e for e in new["items"]}
    for event in core:
        mirror = by_name[event["metadata"]["name"]]
        assert mirror["apiVersion"] == "events.k8s.io/v1"
        assert mirror["regarding"] == event["involvedObject"]
        assert mirror.get("note") == event.get("message")
        assert mirror.get("deprecatedCount") == event.get("count")
    header, rows = _table(kubectl("get", "events.v1.events.k8s.io", "-n", "shop"))
    assert header[:4] == ["LAST SEEN", "TYPE", "REASON", "OBJECT"] and len(rows) == len(core)


def test_top_pods_and_nodes(kubectl) -> None:
    header, rows = _table(kubectl("top", "pods", "-n", "shop"))
    assert header == ["NAME", "CPU(cores)", "MEMORY(bytes)"]
    usage = {r[0]: (r[1], r[2]) for r in rows}
    assert usage[CRASHING] == ("310m", "252Mi")
    assert "payments-7f8b9c6d5-q8x2m" not in usage  # Pending: metrics-server has nothing
    header, rows = _table(kubectl("top", "nodes"))
    assert header == ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]
    node_b = next(r for r in rows if r[0] == "node-b")
    assert node_b[1] == "2650m" and node_b[3] == "6610Mi" and int(node_b[4].rstrip("%")) > 90


def test_get_endpoints(kubectl) -> None:
    header, rows = _table(kubectl("get", "endpoints", "-n", "shop"))
    assert header == ["NAME", "ENDPOINTS", "AGE"]
    eps = {r[0]: r[1] for r in rows}
    # checkout: one pod ready, the crash-looping one is not; orders-db has none
    assert eps["checkout"].count(":8080") == 1
    assert re.fullmatch(r"(\d+\.){3}\d+:6379", eps["cart"])
    listed = json.loads(kubectl("get", "endpoints", "checkout", "-n", "shop", "-o", "json"))
    assert [a["targetRef"]["name"] for a in listed["subsets"][0]["notReadyAddresses"]] == \
        [CRASHING]


def test_describe_deployment(kubectl) -> None:
    text = kubectl("describe", "deployment", "checkout", "-n", "shop")
    assert re.search(r"Replicas:\s+2 desired \| 2 updated \| 2 total \| 1 available \| "
                     r"1 unavailable", text)
    assert re.search(r"Conditions:\n\s+Type\s+Status\s+Reason\n[\s-]+\n\s+Available\s+True\s+"
                     r"MinimumReplicasAvailable\n\s+Progressing\s+True\s+NewReplicaSetAvailable",
                     text)  # as the scenario wrote them
    payments = kubectl("describe", "deployment", "payments", "-n", "shop")
    assert re.search(r"Replicas:\s+3 desired \| 1 updated \| 4 total \| 3 available \| "
                     r"1 unavailable", payments)
    # kubectl finds ReplicaSets by owner uid and events by involvedObject uid
    assert re.search(r"ReplicaSets?:\s+.*payments-7f8b9c6d5 \(1/1 replicas created\)", payments)
    assert re.search(r"Normal\s+ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled up "
                     r"replica set payments-7f8b9c6d5", payments)


def test_logs_previous_tail_timestamps(kubectl) -> None:
    out = kubectl("logs", "-n", "shop", CRASHING, "--previous", "--tail=5", "--timestamps")
    lines = out.splitlines()
    assert len(lines) == 5
    for line in lines:
        stamp, _, rest = line.partition(" ")
        # the kubelet's stamp is the time the line was written, which the line itself says
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        assert when == datetime.fromisoformat(rest[:24].replace("Z", "+00:00"))
        assert when.tzinfo is not None and when.utcoffset() == UTC.utcoffset(None)
    assert "256Mi" in lines[-1]
    err = kubectl("logs", "-n", "shop", "cart-5f6d7c8b9-k2j4h", "--previous", fails=True)
    assert 'previous terminated container "redis" in pod "cart-5f6d7c8b9-k2j4h" not found' in err


def test_workload_tables(kubectl) -> None:
    header, rows = _table(kubectl("get", "hpa", "-n", "shop"))
    assert header == ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]
    assert rows[0][:6] == ["checkout", "Deployment/checkout", "memory: 94%/80%", "2", "6", "2"]
    header, rows = _table(kubectl("get", "rs", "-n", "shop"))
    assert header == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    assert ["payments-7f8b9c6d5", "1", "1", "0"] in [r[:4] for r in rows]
    header, rows = _table(kubectl("get", "svc", "-n", "shop"))
    assert header == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
