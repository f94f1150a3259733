def test_flags_buckets_without_encryption_or_block():
    result = main()
    assert result["count"] == len(result["buckets"]) >= 1
    assert result["buckets_checked"] > result["count"]
    for row in result["buckets"]:
        assert row["problems"]
        assert ("no default encryption" in row["problems"]) == (row["encryption"] is None)


def test_all_buckets_and_prefix():
    everything = main(only_problems=False)
    assert len(everything["buckets"]) == everything["buckets_checked"]
    assert any(r["encryption"] and not r["problems"] for r in everything["buckets"])
    assert main(name_prefix="no-such-bucket-")["buckets_checked"] == 0
