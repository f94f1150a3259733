SUB = "00000000-0000-0000-0000-00000000c0de"


def test_hot_vms_above_threshold():
    result = main(subscription_id=SUB, threshold=80)
    assert result["count"] == len(result["vms"]) >= 1
    averages = [r["cpu_average"] for r in result["vms"]]
    assert averages == sorted(averages, reverse=True) and min(averages) > 80


def test_high_threshold_finds_fewer():
    assert main(subscription_id=SUB, threshold=99.5)["count"] < \
        main(subscription_id=SUB, threshold=5)["count"] <= main(subscription_id=SUB)["vms_checked"]
