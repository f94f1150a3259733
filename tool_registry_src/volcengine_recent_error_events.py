import time

import volcenginesdkcloudmonitor as cm

WORDS = ("error", "fail", "exception", "abnormal", "crash", "oom", "unhealthy", "down")


def main(hours: int = 24, errors_only: bool = True, max_events: int = 500) -> dict:
    """Recent events from Volcano Engine CloudMonitor's event center (system events of ECS,
    RDS, CLB...): the error-like ones (type or detail mentioning error, failure, exception,
    crash, OOM, unhealthy) newest first, and a count per event type."""
    monitor = cm.CLOUDMONITORApi()
    end = int(time.time())
    events = []
    for page in range(1, 21):
        resp = monitor.list_events(cm.ListEventsRequest(
            start_time=end - hours * 3600, end_time=end, page_number=page, page_size=100,
            order_by="HappenTime", asc=False))
        data = resp.data or []
        events += data
        if len(data) < 100 or len(events) >= max_events:
            break
    rows, by_type = [], {}
    for event in events[:max_events]:
        kind = event.event_type or ""
        detail = str(event.detail or "")
        error_like = any(w in (kind + " " + detail).lower() for w in WORDS)
        by_type[kind] = by_type.get(kind, 0) + 1
        if error_like or not errors_only:
            rows.append({"id": event.id, "type": kind, "source": event.source or "",
                         "region": event.region or "", "time": event.happen_time,
                         "detail": detail[:300], "error_like": error_like})
    rows.sort(key=lambda r: -(r["time"] or 0))
    return {"hours": hours, "events_checked": len(events[:max_events]), "count": len(rows),
            "by_type": dict(sorted(by_type.items())), "events": rows}

# --- test ---

def test_error_events_only():
    result = main(hours=24)
    assert result["count"] == len(result["events"]) >= 1
    assert all(r["error_like"] for r in result["events"])
    times = [r["time"] for r in result["events"]]
    assert times == sorted(times, reverse=True)


def test_all_events_include_the_errors():
    every = main(hours=24, errors_only=False)
    assert every["count"] == every["events_checked"] >= main(hours=24)["count"]
