def test_lists_unattached_volumes():
    result = main()
    assert result["count"] == len(result["volumes"]) >= 1
    assert result["total_gib"] == sum(v["size_gib"] for v in result["volumes"])
    assert all(v["volume_id"].startswith("vol-") for v in result["volumes"])
    sizes = [v["size_gib"] for v in result["volumes"]]
    assert sizes == sorted(sizes, reverse=True)


def test_size_filter():
    big = main(min_size_gib=50)
    assert all(v["size_gib"] >= 50 for v in big["volumes"])
    assert big["count"] <= main()["count"]
