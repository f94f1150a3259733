def test_finds_stuck_and_lagging_deployments():
    result = main(namespace="shop")
    assert result["count"] == len(result["deployments"]) >= 1
    assert result["stuck"] >= 1
    first = result["deployments"][0]
    assert first["stuck"] and first["state"] == "stuck"
    for row in result["deployments"]:
        assert row["updated"] < row["desired"] or row["available"] < row["desired"] \
            or row["ready"] < row["desired"] or row["stuck"]


def test_degraded_can_be_left_out():
    only = main(namespace="shop", include_degraded=False)
    assert only["count"] <= main(namespace="shop")["count"]
    assert all(r["state"] != "degraded" for r in only["deployments"])
