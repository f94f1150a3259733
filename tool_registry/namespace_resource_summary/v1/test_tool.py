def test_summarises_one_namespace():
    result = main(namespace="shop")
    assert [r["namespace"] for r in result["namespaces"]] == ["shop"]
    shop = result["namespaces"][0]
    assert shop["pods"] == sum(shop["phases"].values()) == result["pods_checked"] > 0
    assert shop["cpu_requests"] > 0 and shop["memory_limits_mib"] > 0
    assert 0 <= shop["not_ready"] <= shop["pods"]


def test_quantities():
    assert cpu_cores("250m") == 0.25 and cpu_cores("2") == 2.0
    assert mem_bytes("256Mi") == 256 * 2**20 and mem_bytes("1G") == 10**9


def test_every_namespace():
    names = [r["namespace"] for r in main()["namespaces"]]
    assert "shop" in names and len(names) == len(set(names)) >= 2
