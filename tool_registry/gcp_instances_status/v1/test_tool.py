def test_lists_instances_with_their_status():
    result = main(project="shop-prod")
    assert result["count"] == len(result["instances"]) >= 2
    assert result["by_status"].get("RUNNING", 0) >= 1
    assert all(r["name"] and r["zone"] for r in result["instances"])


def test_status_filter():
    running = main(project="shop-prod", status="RUNNING")
    assert running["instances"] and all(r["status"] == "RUNNING" for r in running["instances"])
    assert running["count"] < main(project="shop-prod")["count"]
