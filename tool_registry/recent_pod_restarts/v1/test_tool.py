def test_recent_restarts_newest_first():
    result = main(window_minutes=60)
    assert result["count"] == len(result["restarts"]) >= 1
    ages = [r["minutes_ago"] for r in result["restarts"]]
    assert ages == sorted(ages) and all(0 <= a <= 60 for a in ages)
    assert all(r["restarts"] > 0 and r["reason"] for r in result["restarts"])


def test_tiny_window_is_empty_or_smaller():
    assert main(window_minutes=0)["count"] <= main(window_minutes=60)["count"]
