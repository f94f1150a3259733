from datetime import UTC, datetime, timedelta

import sre


def _events(namespace, max_items):
    size = min(max_items, 500)
    if namespace:
        pages = sre.pages("kubernetes/core_v1/listCoreV1NamespacedEvent",
                          {"namespace": namespace, "fieldSelector": "type=Warning"},
                          page_size=size, max_items=max_items)
    else:
        pages = sre.pages("kubernetes/core_v1/listCoreV1EventForAllNamespaces",
                          {"fieldSelector": "type=Warning"},
                          page_size=size, max_items=max_items)
    return [item for page in pages for item in page.get("items") or []]


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
