def test_lists_unready_pods_with_reasons():
    result = main(namespace="shop")
    assert result["count"] == len(result["pods"]) > 0
    assert result["pods_checked"] >= result["count"]
    for row in result["pods"]:
        assert {"namespace", "pod", "phase", "node", "reason", "containers"} <= set(row)
        assert row["namespace"] == "shop" and row["phase"] != "Succeeded"
    assert all(row["reason"] for row in result["pods"])


def test_all_namespaces_and_cap():
    everything = main()
    assert everything["count"] >= main(namespace="shop")["count"]
    assert main(max_items=1)["pods_checked"] == 1
