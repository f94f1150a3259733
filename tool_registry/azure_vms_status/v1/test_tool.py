SUB = "00000000-0000-0000-0000-00000000c0de"


def test_lists_vms_with_their_power_state():
    result = main(subscription_id=SUB)
    assert result["count"] == len(result["vms"]) >= 2
    assert result["by_power_state"].get("running", 0) >= 1
    assert all(r["name"] and r["resource_group"] for r in result["vms"])


def test_power_state_filter():
    assert main(subscription_id=SUB, power_state="deallocated")["count"] == 0
    running = main(subscription_id=SUB, power_state="running")
    assert running["count"] >= 1 and all(r["power_state"] == "running" for r in running["vms"])
