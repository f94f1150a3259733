def test_lists_users_without_mfa():
    result = main()
    assert result["count"] == len(result["users"]) >= 1
    assert result["users_checked"] > result["count"]
    flags = [r["console_access"] for r in result["users"]]
    assert flags == sorted(flags, reverse=True)


def test_console_only():
    console = main(console_only=True)
    assert console["count"] >= 1 and all(r["console_access"] for r in console["users"])
