def test_services_with_too_few_ready_pods():
    result = main(namespace="shop", min_ready=2)
    assert result["count"] == len(result["services"]) >= 1
    assert result["services_checked"] >= result["count"]
    for row in result["services"]:
        assert row["ready_pods"] < 2 and row["ready_pods"] <= row["matching_pods"]
        assert row["selector"]


def test_default_reports_services_with_no_ready_pod():
    result = main()
    assert all(row["ready_pods"] == 0 for row in result["services"])
