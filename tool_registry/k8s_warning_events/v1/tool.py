from datetime import UTC, datetime, timedelta

import sre

MAX_PAGES = 20


def _events(namespace, max_items):
    items, query = [], {"limit": min(max_items, 500), "fieldSelector": "type=Warning"}
    for _ in range(MAX_PAGES):
        if namespace:
            page = sre.request("kubernetes/core_v1/listCoreV1NamespacedEvent",
                               dict(query, namespace=namespace))
        else:
            page = sre.request("kubernetes/core_v1/listCoreV1EventForAllNamespaces", query)
        items.extend(page.get("items") or [])
        token = (page.get("metadata") or {}).get("continue")
        if not token or len(items) >= max_items:
            break
        query["continue"] = token
    return items[:max_items]


def _when(event):
    value = event.get("lastTimestamp") or event.get("eventTime") or \
        (event.get("series") or {}).get("lastObservedTime") or \
        (event.get("metadata") or {}).get("creationTimestamp")
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def main(namespace: str = "", window_minutes: int = 60, involved_kind: str = "",
         max_items: int = 1000) -> dict:
    """Warning events seen in the last window_minutes, newest first."""
    now = datetime.now(UTC)
    since = now - timedelta(minutes=window_minutes)
    rows = []
    for event in _events(namespace, max_items):
        if event.get("type") != "Warning":
            continue
        obj = event.get("involvedObject") or event.get("regarding") or {}
        if involved_kind and obj.get("kind", "").lower() != involved_kind.lower():
            continue
        when = _when(event)
        if when is None or when < since:
            continue
        rows.append({"namespace": event["metadata"].get("namespace", ""),
                     "object": f"{obj.get('kind', '')}/{obj.get('name', '')}",
                     "reason": event.get("reason", ""),
                     "message": (event.get("message") or event.get("note") or "")[:300],
                     "count": event.get("count") or 1, "last_seen": when.isoformat(),
                     "minutes_ago": round((now - when).total_seconds() / 60, 1)})
    rows.sort(key=lambda r: r["minutes_ago"])
    return {"count": len(rows), "window_minutes": window_minutes, "events": rows}
