from datetime import UTC, datetime, timedelta

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


def main(namespace: str = "", window_minutes: int = 60, max_items: int = 1000) -> dict:
    """Containers whose last restart happened within the last window_minutes, newest first,
    with the restart count and why the previous run ended."""
    now = datetime.now(UTC)
    since = now - timedelta(minutes=window_minutes)
    rows = []
    for pod in _pods(namespace, max_items):
        status = pod.get("status") or {}
        for cs in status.get("containerStatuses") or []:
            if not cs.get("restartCount"):
                continue
            last = (cs.get("lastState") or {}).get("terminated") or {}
            finished = last.get("finishedAt")
            if not finished:
                continue  # restarted, but the kubelet no longer says when
            when = datetime.fromisoformat(finished.replace("Z", "+00:00"))
            if when < since:
                continue
            rows.append({"namespace": pod["metadata"].get("namespace", ""),
                         "pod": pod["metadata"]["name"], "container": cs.get("name"),
                         "restarts": cs["restartCount"], "last_restart": when.isoformat(),
                         "minutes_ago": round((now - when).total_seconds() / 60, 1),
                         "reason": last.get("reason", ""), "exit_code": last.get("exitCode")})
    rows.sort(key=lambda r: r["minutes_ago"])
    return {"count": len(rows), "window_minutes": window_minutes, "restarts": rows}
