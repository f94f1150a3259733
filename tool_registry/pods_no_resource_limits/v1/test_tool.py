def test_finds_containers_without_limits():
    result = main(namespace="shop")
    assert result["count"] == len(result["containers"]) >= 1
    for row in result["containers"]:
        assert row["missing"] and set(row["missing"]) <= set(result["required"])
    keys = [(r["workload"], r["container"]) for r in result["containers"]]
    assert len(keys) == len(set(keys))


def test_custom_requirement():
    cpu_limits = main(namespace="shop", require=["limits.cpu"])
    assert all(r["missing"] == ["limits.cpu"] for r in cpu_limits["containers"])
    assert cpu_limits["count"] >= 1
