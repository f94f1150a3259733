def test_lists_failed_jobs():
    result = main(namespace="shop")
    assert result["count"] == len(result["jobs"]) >= 1
    for row in result["jobs"]:
        assert row["failed_pods"] >= 1 or row["reason"] != "PodsFailing"
        assert row["job"] and row["reason"]
    assert main(namespace="kube-system")["count"] == 0
