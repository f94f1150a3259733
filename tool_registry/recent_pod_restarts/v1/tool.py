from datetime import UTC, datetime, timedelta

import sre

MAX_PAGES = 20


def _pods(namespace, max_items):
    items, query = [], {"limit": min(max_items, 500)}
    for _ in range(MAX_PAGES):
        if namespace:
            page = sre.request("kubernetes/core_v1/listCoreV1NamespacedPod",
                               dict(query, namespace=namespace))
        else:
            page = sre.request("kubernetes/core_v1/listCoreV1PodForAllNamespaces", query)
        items.extend(page.get("items") or [])
        token = (page.get("metadata") or {}).get("continue")
        if not token or len(items) >= max_items:
            break
        query["continue"] = token
    return items[:max_items]


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
