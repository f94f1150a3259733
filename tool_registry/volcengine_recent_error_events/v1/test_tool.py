def test_error_events_only():
    result = main(hours=24)
    assert result["count"] == len(result["events"]) >= 1
    assert all(r["error_like"] for r in result["events"])
    times = [r["time"] for r in result["events"]]
    assert times == sorted(times, reverse=True)


def test_all_events_include_the_errors():
    every = main(hours=24, errors_only=False)
    assert every["count"] == every["events_checked"] >= main(hours=24)["count"]
