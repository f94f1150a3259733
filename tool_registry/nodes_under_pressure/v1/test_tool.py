def test_reports_nodes_with_pressure():
    result = main()
    assert result["count"] == len(result["nodes"]) >= 1
    for row in result["nodes"]:
        assert row["problems"] and isinstance(row["taints"], list)
    assert any(p.startswith("MemoryPressure") for r in result["nodes"] for p in r["problems"])


def test_include_healthy_lists_every_node():
    result = main(include_healthy=True)
    assert len(result["nodes"]) == result["nodes_checked"] >= result["count"]
