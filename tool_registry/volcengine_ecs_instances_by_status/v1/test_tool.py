def test_counts_add_up_and_listed_are_not_running():
    result = main()
    assert result["total"] == sum(result["by_status"].values()) >= 1
    assert all(r["status"] != "RUNNING" for r in result["instances"])
    assert result["count"] == len(result["instances"])


def test_one_status():
    running = main(list_status="RUNNING")
    assert all(r["status"] == "RUNNING" for r in running["instances"])
    assert running["count"] == running["by_status"].get("RUNNING", 0)
