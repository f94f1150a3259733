def test_flags_autoscalers_under_strain():
    result = main(namespace="shop")
    assert result["count"] == len(result["autoscalers"]) >= 1
    for row in result["autoscalers"]:
        assert row["problems"] and row["max_replicas"] >= row["min_replicas"]
        assert all({"metric", "target", "current"} <= set(m) for m in row["metrics"])


def test_include_all():
    assert len(main(include_all=True)["autoscalers"]) >= main()["count"]
