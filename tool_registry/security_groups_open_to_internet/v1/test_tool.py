def test_finds_rules_open_to_the_internet():
    result = main()
    assert result["count"] == len(result["rules"]) >= 1
    for rule in result["rules"]:
        assert set(rule["open_to"]) <= {"0.0.0.0/0", "::/0"} and rule["direction"] == "ingress"
    assert any("ssh" in r["risky_services"] for r in result["rules"])


def test_port_filter():
    ssh = main(ports=[22])
    assert ssh["count"] >= 1 and all("ssh" in r["risky_services"] or r["ports"] == "all"
                                     for r in ssh["rules"])
    for rule in main(ports=[3389])["rules"]:
        assert "rdp" in rule["risky_services"]
