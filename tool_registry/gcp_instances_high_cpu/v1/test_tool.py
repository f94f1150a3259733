def test_hot_instances_above_threshold():
    result = main(project="shop-prod", threshold=80)
    assert result["count"] == len(result["instances"]) >= 1
    averages = [r["cpu_average"] for r in result["instances"]]
    assert averages == sorted(averages, reverse=True) and min(averages) > 80


def test_high_threshold_finds_fewer():
    assert main(project="shop-prod", threshold=99.5)["count"] < \
        main(project="shop-prod", threshold=5)["count"]
