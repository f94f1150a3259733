def test_counts_errors_in_the_window():
    result = main(log_group="/shop/checkout", pattern="ERROR", window_minutes=60)
    assert result["count"] >= 1 and not result["truncated"]
    assert sum(result["by_stream"].values()) == result["count"]
    assert sum(b["count"] for b in result["by_5_minutes"]) == result["count"]
    assert result["samples"] and all("ERROR" in s["message"] for s in result["samples"])


def test_cap_and_other_patterns():
    capped = main(log_group="/shop/checkout", max_events=2)
    assert capped["count"] <= 2
    everything = main(log_group="/shop/checkout", pattern="", window_minutes=60)
    assert everything["count"] >= main(log_group="/shop/checkout")["count"]
