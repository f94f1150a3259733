def test_recent_warnings_newest_first():
    result = main(namespace="shop", window_minutes=60)
    assert result["count"] == len(result["events"]) >= 1
    ages = [e["minutes_ago"] for e in result["events"]]
    assert ages == sorted(ages) and all(a <= 60 for a in ages)
    assert all(e["reason"] and "/" in e["object"] for e in result["events"])


def test_window_and_kind_filters():
    wide = main(window_minutes=24 * 60)
    assert wide["count"] >= main(window_minutes=60)["count"]
    nodes = main(involved_kind="Node", window_minutes=24 * 60)
    assert all(e["object"].startswith("Node/") for e in nodes["events"])
