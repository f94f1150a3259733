def test_reports_targets_that_are_not_healthy():
    result = main()
    assert result["count"] == len(result["targets"]) >= 1
    assert all(t["state"] != "healthy" and t["reason"] for t in result["targets"])
    assert sum(g["not_healthy"] for g in result["target_groups"]) == result["count"]


def test_include_healthy_and_name_filter():
    everything = main(include_healthy=True)
    assert len(everything["targets"]) == sum(g["targets"] for g in everything["target_groups"])
    assert main(name_contains="no-such-group")["target_groups"] == []
