def test_finds_crash_looping_containers():
    result = main(namespace="shop")
    assert result["count"] == len(result["containers"]) >= 1
    for row in result["containers"]:
        assert {"pod", "container", "restarts", "last_termination_reason"} <= set(row)
        assert row["waiting_reason"] == "CrashLoopBackOff" or row["restarts"] >= 3
    restarts = [r["restarts"] for r in result["containers"]]
    assert restarts == sorted(restarts, reverse=True)
    assert any(r["last_termination_reason"] for r in result["containers"])


def test_threshold_is_applied():
    loose = main(min_restarts=1)
    assert loose["count"] >= main()["count"]
