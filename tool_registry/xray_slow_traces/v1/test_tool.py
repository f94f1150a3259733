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
