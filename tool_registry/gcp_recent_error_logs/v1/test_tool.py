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
