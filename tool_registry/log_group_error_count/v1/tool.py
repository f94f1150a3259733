from datetime import UTC, datetime, timedelta

import sre


def main(log_group: str, pattern: str = "ERROR", window_minutes: int = 60,
         max_events: int = 5000, samples: int = 5) -> dict:
    """How many log events in a CloudWatch Logs group match a filter pattern (ERROR by
    default) in the last window_minutes, per stream and per 5 minutes, with sample lines."""
    end = datetime.now(UTC)
    start = end - timedelta(minutes=window_minutes)
    query = {"logGroupName": log_group, "filterPattern": pattern,
             "startTime": int(start.timestamp() * 1000), "endTime": int(end.timestamp() * 1000)}
    count, per_stream, buckets, lines = 0, {}, {}, []
    for page in sre.pages("aws/logs/FilterLogEvents", query, max_items=max_events):
        for event in page.get("events") or []:
            count += 1
            stream = event.get("logStreamName", "")
            per_stream[stream] = per_stream.get(stream, 0) + 1
            stamp = datetime.fromtimestamp(event["timestamp"] / 1000, UTC)
            slot = stamp.replace(minute=stamp.minute - stamp.minute % 5, second=0,
                                 microsecond=0).isoformat()
            buckets[slot] = buckets.get(slot, 0) + 1
            if len(lines) < samples:
                lines.append({"time": stamp.isoformat(), "stream": stream,
                              "message": event.get("message", "")[:500]})
    return {"log_group": log_group, "pattern": pattern, "window_minutes": window_minutes,
            "count": count, "truncated": count >= max_events,
            "per_minute": round(count / window_minutes, 3) if window_minutes else None,
            "by_stream": per_stream,
            "by_5_minutes": [{"start": k, "count": v} for k, v in sorted(buckets.items())],
            "samples": lines}
