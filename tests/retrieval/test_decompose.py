"""Multi-part requests: the parts a request is split into (language data only), and that a
search with decomposition covers every part on a real (small) index."""

from __future__ import annotations

from types import SimpleNamespace

from mcp_sre.retrieval.decompose import KEEP_WHOLE, load_decomposer, merge


def _texts(request: str) -> list[str]:
    return [p for p, _ in load_decomposer().parts(request)]


def test_a_condition_on_a_measurement_becomes_a_metric_part() -> None:
    parts = _texts("列出CPU>80%的EC2实例")
    assert parts[0].startswith("CPU") and "metric" in parts[0]
    assert any("EC2" in p and "80" not in p for p in parts[1:])  # the things, condition gone


def test_a_failure_report_implies_its_logs_and_events() -> None:
    parts = _texts("pod web-1 is in CrashLoopBackOff")
    assert "pod web-1 is logs" in parts and "events of pod web-1 is" in parts


def test_clauses_carry_what_the_request_is_about() -> None:
    parts = load_decomposer().parts("RDS instance orders-db is slow: check its status, CPU")
    assert ("check its status", "RDS instance orders-db") in parts
    assert any(p.startswith("CPU") and "metric" in p for p, _ in parts)


def test_a_single_operation_request_is_not_split() -> None:
    assert _texts("list all pods in namespace shop") == []
    assert _texts("when did alarm api-5xx-high change state") == []  # a name, no measurement


def test_merge_keeps_the_whole_requests_first_results_and_puts_reads_first() -> None:
    def r(i: str, access: str = "read") -> SimpleNamespace:
        return SimpleNamespace(id=i, access=access)

    whole = [r("a", "write"), r("b"), r("c"), r("d", "write"), r("e")]
    out = merge(whole, [[r("x", "write"), r("y")], [r("b"), r("z")]], 7, read_only=True)
    ids = [x.id for x in out]
    assert ids[:KEEP_WHOLE] == ["a", "b", "c"]
    assert set(ids) == {"a", "b", "c", "x", "y", "z", "d"} and len(ids) == 7
    tail = [x.access for x in out[KEEP_WHOLE:]]
    assert tail == sorted(tail, key=lambda a: a != "read")


def test_search_covers_every_part(shared_retriever) -> None:
    query = "which EC2 instances have CPU > 80%"
    whole = {x.id for x in shared_retriever.search(query, provider="aws")}
    parts = [x.id for x in shared_retriever.search(query, provider="aws", decompose=True)]
    assert "aws/ec2/DescribeInstances" in parts
    assert {"aws/cloudwatch/GetMetricStatistics", "aws/cloudwatch/GetMetricData"} & set(parts)
    assert len(parts) == len(set(parts)) == 10 and whole != set(parts)
