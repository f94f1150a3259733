from datetime import UTC, datetime, timedelta

import sre


def main(min_duration_seconds: float = 1.0, window_minutes: int = 60,
         errors_only: bool = False, max_traces: int = 1000) -> dict:
    """X-Ray traces in the last window_minutes that took at least min_duration_seconds,
    slowest first, with their URL, status and whether they had errors or faults."""
    end = datetime.now(UTC)
    start = end - timedelta(minutes=window_minutes)
    query = {"StartTime": start.isoformat(), "EndTime": end.isoformat(), "Sampling": False}
    seen, rows = 0, []
    for page in sre.pages("aws/xray/GetTraceSummaries", query, max_items=max_traces):
        for trace in page.get("TraceSummaries") or []:
            seen += 1
            duration = trace.get("Duration") or 0
            failed = bool(trace.get("HasError") or trace.get("HasFault"))
            if duration < min_duration_seconds or (errors_only and not failed):
                continue
            http = trace.get("Http") or {}
            rows.append({"trace_id": trace["Id"], "duration_s": duration,
                         "response_time_s": trace.get("ResponseTime"),
                         "url": http.get("HttpURL", ""), "method": http.get("HttpMethod", ""),
                         "status": http.get("HttpStatus"), "error": bool(trace.get("HasError")),
                         "fault": bool(trace.get("HasFault")),
                         "throttle": bool(trace.get("HasThrottle")),
                         "services": [s.get("Name") for s in trace.get("ServiceIds") or []]})
    rows.sort(key=lambda r: -r["duration_s"])
    return {"traces_checked": seen, "count": len(rows),
            "min_duration_seconds": min_duration_seconds, "traces": rows}

# --- test ---

def test_slow_traces_slowest_first():
    result = main(min_duration_seconds=1.0, window_minutes=60)
    assert result["count"] == len(result["traces"]) >= 1
    durations = [t["duration_s"] for t in result["traces"]]
    assert durations == sorted(durations, reverse=True) and min(durations) >= 1.0
    assert result["traces_checked"] >= result["count"]


def test_thresholds():
    assert main(min_duration_seconds=0)["count"] >= main(min_duration_seconds=1)["count"]
    failing = main(min_duration_seconds=0, errors_only=True)
    assert all(t["error"] or t["fault"] for t in failing["traces"])
