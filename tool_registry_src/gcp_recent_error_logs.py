from datetime import UTC, datetime, timedelta

import sre


def main(project: str, window_minutes: int = 60, severity: str = "ERROR",
         extra_filter: str = "", max_entries: int = 200) -> dict:
    """Recent Cloud Logging entries at or above a severity (ERROR by default) in the last
    window_minutes, newest first, counted per log and per resource type, with their text."""
    since = (datetime.now(UTC) - timedelta(minutes=window_minutes)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    log_filter = f'severity>={severity} AND timestamp>="{since}"'
    if extra_filter:
        log_filter += f" AND ({extra_filter})"
    body = {"resourceNames": ["projects/" + project], "filter": log_filter,
            "orderBy": "timestamp desc", "pageSize": min(max_entries, 1000)}
    data = sre.call("gcp/logging/logging.entries.list", body=body)
    entries, by_log, by_resource = [], {}, {}
    for entry in (data.get("entries") or [])[:max_entries]:
        log = str(entry.get("logName", "")).rsplit("/", 1)[-1]
        kind = (entry.get("resource") or {}).get("type", "")
        by_log[log] = by_log.get(log, 0) + 1
        by_resource[kind] = by_resource.get(kind, 0) + 1
        text = entry.get("textPayload") or entry.get("jsonPayload") or entry.get("protoPayload")
        entries.append({"time": entry.get("timestamp", ""), "severity": entry.get("severity"),
                        "log": log, "resource": kind, "message": str(text or "")[:500]})
    return {"project": project, "filter": log_filter, "count": len(entries),
            "by_log": by_log, "by_resource": by_resource, "entries": entries}

# --- test ---

def test_recent_errors():
    result = main(project="shop-prod", window_minutes=60)
    assert result["count"] == len(result["entries"]) >= 1
    assert all(e["severity"] in ("ERROR", "CRITICAL", "ALERT", "EMERGENCY")
               for e in result["entries"])
    assert sum(result["by_log"].values()) == result["count"]
    assert 'severity>=ERROR' in result["filter"]


def test_extra_filter_is_kept():
    result = main(project="shop-prod", extra_filter='resource.type="gce_instance"')
    assert 'resource.type="gce_instance"' in result["filter"]
