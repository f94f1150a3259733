def test_finds_image_pull_failures():
    result = main(namespace="shop")
    assert result["count"] == len(result["containers"]) >= 1
    for row in result["containers"]:
        assert row["reason"] in PULL_ERRORS and row["image"]
    assert set(result["images"]) == {r["image"] for r in result["containers"]}


def test_namespace_without_pull_errors():
    assert main(namespace="kube-system")["count"] == 0
