SUB = "00000000-0000-0000-0000-00000000c0de"


def test_failed_operations():
    result = main(subscription_id=SUB, window_hours=24)
    assert result["count"] == len(result["events"]) >= 1
    assert all(e["status"] == "Failed" or e["level"] in ("Error", "Critical")
               for e in result["events"])
    assert sum(result["by_operation"].values()) == result["count"]


def test_resource_group_scope():
    assert "resourceGroupName eq 'shop-rg'" in main(subscription_id=SUB,
                                                    resource_group="shop-rg")["filter"]
