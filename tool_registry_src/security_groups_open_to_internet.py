import sre

WORLD = ("0.0.0.0/0", "::/0")
SENSITIVE_PORTS = {22: "ssh", 3389: "rdp", 3306: "mysql", 5432: "postgres", 6379: "redis",
                   27017: "mongodb", 9200: "elasticsearch", 1433: "mssql", 11211: "memcached"}


def _covers(rule, port):
    if rule.get("IpProtocol") == "-1":
        return True
    low, high = rule.get("FromPort", -1), rule.get("ToPort", -1)
    return low == -1 or low <= port <= high


def main(ports: list | None = None, include_egress: bool = False,
         max_groups: int = 1000) -> dict:
    """Security group rules open to the whole internet (0.0.0.0/0 or ::/0), optionally only
    those covering given ports; SSH, RDP and database ports are flagged as risky."""
    rows, checked = [], 0
    for page in sre.pages("aws/ec2/DescribeSecurityGroups", {}, max_items=max_groups):
        for group in page.get("SecurityGroups") or []:
            checked += 1
            rules = [("ingress", r) for r in group.get("IpPermissions") or []]
            if include_egress:
                rules += [("egress", r) for r in group.get("IpPermissionsEgress") or []]
            for direction, rule in rules:
                cidrs = [r.get("CidrIp") for r in rule.get("IpRanges") or []] + \
                    [r.get("CidrIpv6") for r in rule.get("Ipv6Ranges") or []]
                open_to = [c for c in cidrs if c in WORLD]
                if not open_to or (ports and not any(_covers(rule, p) for p in ports)):
                    continue
                low, high = rule.get("FromPort", -1), rule.get("ToPort", -1)
                risky = sorted({name for port, name in SENSITIVE_PORTS.items()
                                if _covers(rule, port)})
                rows.append({"group_id": group["GroupId"], "group_name": group.get("GroupName"),
                             "vpc_id": group.get("VpcId", ""), "direction": direction,
                             "protocol": "all" if rule.get("IpProtocol") == "-1"
                             else rule.get("IpProtocol"),
                             "ports": "all" if low in (-1, None) else
                             (str(low) if low == high else f"{low}-{high}"),
                             "open_to": open_to, "risky_services": risky})
    rows.sort(key=lambda r: (not r["risky_services"], r["group_name"] or ""))
    return {"groups_checked": checked, "count": len(rows), "rules": rows}

# --- test ---

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
