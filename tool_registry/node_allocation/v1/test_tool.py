def test_allocation_per_node():
    result = main()
    assert result["count"] == len(result["nodes"]) >= 1
    peaks = [max(r["cpu_percent"], r["memory_percent"]) for r in result["nodes"]]
    assert peaks == sorted(peaks, reverse=True)
    for row in result["nodes"]:
        assert row["cpu_allocatable"] > 0 and 0 <= row["cpu_percent"] <= 1000
        assert row["pods"] <= row["pod_capacity"]
    assert sum(r["pods"] for r in result["nodes"]) >= 1


def test_threshold_filters():
    assert main(min_percent=101)["count"] <= main()["count"]
    assert cpu_cores("3920m") == 3.92 and mem_bytes("16Ki") == 16384
