import sre


def _pods(namespace, max_items):
    size = min(max_items, 500)
    if namespace:
        pages = sre.pages("kubernetes/core_v1/listCoreV1NamespacedPod", {"namespace": namespace},
                          page_size=size, max_items=max_items)
    else:
        pages = sre.pages("kubernetes/core_v1/listCoreV1PodForAllNamespaces", {},
                          page_size=size, max_items=max_items)
    return [item for page in pages for item in page.get("items") or []]


def main(namespace: str = "", min_restarts: int = 3, max_items: int = 500) -> dict:
    """Containers in CrashLoopBackOff or restarting at least min_restarts times, with how
    their last run ended (OOMKilled, Error, exit code)."""
    rows = []
    for pod in _pods(namespace, max_items):
        status = pod.get("status") or {}
        for cs in (status.get("initContainerStatuses") or []) + \
                (status.get("containerStatuses") or []):
            waiting = (cs.get("state") or {}).get("waiting") or {}
            last = (cs.get("lastState") or {}).get("terminated") or {}
            restarts = cs.get("restartCount", 0)
            if waiting.get("reason") != "CrashLoopBackOff" and restarts < min_restarts:
                continue
            rows.append({"namespace": pod["metadata"].get("namespace", ""),
                         "pod": pod["metadata"]["name"], "container": cs.get("name"),
                         "restarts": restarts, "waiting_reason": waiting.get("reason", ""),
                         "last_termination_reason": last.get("reason", ""),
                         "last_exit_code": last.get("exitCode"),
                         "last_finished_at": last.get("finishedAt"),
                         "node": (pod.get("spec") or {}).get("nodeName", "")})
    rows.sort(key=lambda r: -r["restarts"])
    return {"count": len(rows), "containers": rows}

# --- test ---

def test_finds_crash_looping_containers():
    result = main(namespace="shop")
    assert result["count"] == len(result["containers"]) >= 1
    for row in result["containers"]:
        assert {"pod", "container", "restarts", "last_termination_reason"} <= set(row)
        assert row["waiting_reason"] == "CrashLoopBackOff" or row["restarts"] >= 3
    restarts = [r["restarts"] for r in result["containers"]]
    assert restarts == sorted(restarts, reverse=True)
    assert any(r["last_termination_reason"] for r in result["containers"])


def test_threshold_is_applied():
    loose = main(min_restarts=1)
    assert loose["count"] >= main()["count"]
