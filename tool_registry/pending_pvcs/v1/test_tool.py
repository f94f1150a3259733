def test_lists_unbound_claims_with_their_class():
    result = main(namespace="shop")
    assert result["count"] == len(result["claims"]) >= 1
    assert result["claims_checked"] > result["count"]
    for row in result["claims"]:
        assert row["phase"] != "Bound" and row["claim"]
        assert row["storage_class_exists"] == (row["storage_class"] in result["storage_classes"])
    assert any(not r["storage_class_exists"] for r in result["claims"])
