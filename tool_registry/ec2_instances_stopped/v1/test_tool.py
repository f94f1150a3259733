def test_lists_stopped_instances():
    result = main()
    assert result["count"] == len(result["instances"]) >= 1
    for row in result["instances"]:
        assert row["instance_id"].startswith("i-") and row["reason"]
        assert row["days_stopped"] is None or row["days_stopped"] >= 0


def test_age_filter():
    assert main(min_days_stopped=3650)["count"] == 0
