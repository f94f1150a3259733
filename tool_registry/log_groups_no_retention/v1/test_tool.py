def test_lists_groups_kept_forever():
    result = main()
    assert result["count"] == len(result["log_groups"]) >= 1
    assert result["groups_checked"] > result["count"]
    assert all(g["log_group"].startswith("/") for g in result["log_groups"])


def test_prefix():
    shop = main(name_prefix="/shop/")
    assert all(g["log_group"].startswith("/shop/") for g in shop["log_groups"])
    assert main(name_prefix="/no-such-prefix/")["groups_checked"] == 0
