"""The reranker's features and weights: what each feature credits, on a few operations or on
the shared index."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.retrieval.resources import resource_of
from mcp_sre.retrieval.rewrite import QueryRewriter
from mcp_sre.retrieval.vocabulary import load_vocabulary

VOCAB = load_vocabulary(make_plugin_manager())


def test_an_added_providers_operations_lean_on_the_dense_model() -> None:
    """Two candidates, one keyword-strong and one dense-strong: for a provider a vocabulary
    describes the keyword one wins; for an added API (described 0) the dense one does."""
    from mcp_sre.retrieval.rerank import FEATURE_NAMES, FeatureReranker, Features

    zero = np.zeros(2, np.float32)
    cols = {n: zero for n in FEATURE_NAMES if n not in ("dense",)}
    cols.update(lexical=np.array([1.0, 0.8], np.float32),
                coverage=np.array([1.0, 0.5], np.float32))
    gap = np.array([0.06, 0.0], np.float32)  # the second is the dense model's best match
    reranker = FeatureReranker()

    def order(described: float) -> list[int]:
        feats = Features(candidates=np.arange(2), dense_gap=gap,
                         described=np.full(2, described, np.float32), **cols)
        return reranker.rerank(feats)[0].tolist()

    assert order(1.0) == [0, 1] and order(0.0) == [1, 0]


def test_a_span_of_time_favours_operations_that_take_one(shared_retriever) -> None:
    """The index reads from each operation's parameters whether it opens a span of time; a
    request about one ranks those operations up (metric data over the metric's alarms)."""
    index = shared_retriever.current()
    by_id = {d.id: i for i, d in enumerate(index.docs)}
    assert index.time_range[by_id["aws/cloudwatch/GetMetricData"]] == 1.0
    assert index.time_range[by_id["aws/cloudwatch/DescribeAlarms"]] == 0.0
    assert index.time_range[by_id["kubernetes/core_v1/readCoreV1NamespacedPodLog"]] == 1.0  # since
    from mcp_sre.retrieval.rerank import FeatureReranker

    rewriter = QueryRewriter()
    cands = np.array([by_id["aws/cloudwatch/GetMetricData"], by_id["aws/cloudwatch/DescribeAlarms"]])
    lexical = np.ones(len(index), np.float32)
    over_time = FeatureReranker().features(
        index, rewriter.rewrite("CPU utilization of instance i-0abc over the last 6 hours"),
        cands, lexical, None)
    now = FeatureReranker().features(
        index, rewriter.rewrite("CPU utilization of instance i-0abc"), cands, lexical, None)
    assert over_time.time.tolist() == [1.0, 0.0] and now.time.tolist() == [0.0, 0.0]



def test_a_read_request_gives_no_head_or_field_credit_to_a_write(shared_retriever) -> None:
    """"show the nodegroup version of cluster prod": UpdateNodegroupVersion sets the version,
    DescribeNodegroup tells it; the setter's noun is not what is asked. An order keeps it."""
    from mcp_sre.retrieval.rerank import FeatureReranker

    index = shared_retriever.current()
    by_id = {d.id: i for i, d in enumerate(index.docs)}
    cands = np.array([by_id["aws/eks/UpdateNodegroupVersion"], by_id["aws/eks/DescribeNodegroup"]])
    rewriter = shared_retriever.searcher.rewriter_for(index)
    lexical = np.ones(len(index), np.float32)

    def head(request: str) -> list[float]:
        f = FeatureReranker().features(index, rewriter.rewrite(request), cands, lexical, None)
        return f.head.tolist()

    assert head("show the nodegroup version of nodegroup ng-1")[0] == 0.0
    assert head("update the nodegroup version of nodegroup ng-1")[0] > 0.0


def test_a_metric_series_counts_its_readers_as_named(shared_retriever) -> None:
    """"ELB target response time, last 6 hours" names the load balancer's service; the metric
    readers that take a span of time count as named too, the load balancer's reads do not."""
    from mcp_sre.retrieval.rerank import FeatureReranker, series_readers

    index = shared_retriever.current()
    by_id = {d.id: i for i, d in enumerate(index.docs)}
    cands = np.array([by_id["aws/cloudwatch/GetMetricData"], by_id["aws/cloudwatch/DescribeAlarms"],
                      by_id["aws/elbv2/DescribeTargetHealth"]])
    assert series_readers(index, cands).tolist() == [1.0, 0.0, 0.0]
    rewriter = QueryRewriter()
    lexical = np.ones(len(index), np.float32)
    series = FeatureReranker().features(index, rewriter.rewrite(
        "elbv2 target response time metric over the last 6 hours"), cands, lexical, None)
    now = FeatureReranker().features(index, rewriter.rewrite(
        "elbv2 target response time metric"), cands, lexical, None)
    assert series.service[0] == 1.0 and now.service[0] < 1.0
    # and what they read is what is asked about ("RDS x 的 CPUUtilization 走势" is its series,
    # not the instance)
    assert series.head[0] == 1.0 and now.head[0] < 1.0 and series.head[2] == now.head[2]


def test_operations_returning_a_named_field_are_marked() -> None:
    from mcp_sre.retrieval.rerank import named_fields

    index = SimpleNamespace(replies=[frozenset({"taskarns"}), frozenset({"tasks", "stoppedreason"})])
    q = SimpleNamespace(fields=frozenset({"stoppedreason"}))
    assert named_fields(index, q, np.arange(2)).tolist() == [0.0, 1.0]  # type: ignore[arg-type]
    q = SimpleNamespace(fields=frozenset())
    assert named_fields(index, q, np.arange(2)).tolist() == [0.0, 0.0]  # type: ignore[arg-type]


def test_the_reply_that_holds_what_a_request_asks_scores_higher() -> None:
    """"engine version and Multi-AZ of RDS orders-db": DescribeDBInstances' reply holds both
    (EngineVersion, MultiAZ); DescribeDBEngineVersions' name holds only "engine version"."""
    from mcp_sre.retrieval.documents import OperationDoc
    from mcp_sre.retrieval.index import answer_words
    from mcp_sre.retrieval.rerank import reply_answers

    def op(name: str, outputs: list[str]) -> OperationDoc:
        from mcp_sre.retrieval.documents import camel_words
        return OperationDoc(id=name, provider="aws", service="rds", name=name, method="POST",
                            endpoint="/", summary="", access="read", outputs=outputs,
                            name_words=camel_words(name), service_words=["rds"])

    docs = [op("DescribeDBEngineVersions", ["DBEngineVersions", "Engine", "EngineVersion"]),
            op("DescribeDBInstances", ["DBInstances", "Engine", "EngineVersion", "MultiAZ"])]
    index = SimpleNamespace(docs=docs, answer_words=answer_words(docs),
                            is_read=np.ones(2, np.float32))
    q = QueryRewriter(VOCAB).rewrite("RDS orders-db: what engine version is it on and is "
                                     "Multi-AZ enabled?")
    catalogue, instances = reply_answers(index, q, np.arange(2)).tolist()  # type: ignore[arg-type]
    assert instances > catalogue > 0


def test_a_reply_that_tells_more_weighs_more(shared_retriever) -> None:
    """The index reads how much each operation's reply tells from its field count: an EKS
    cluster's description says more about the cluster than the list of cluster names."""
    index = shared_retriever.current()
    by_id = {d.id: i for i, d in enumerate(index.docs)}
    describe, names = by_id["aws/eks/DescribeCluster"], by_id["aws/eks/ListClusters"]
    assert 0.0 <= index.reply[names] < index.reply[describe] <= 1.0


def test_a_reader_of_listed_metrics_only_does_not_read_one_it_lacks() -> None:
    """An input limited to listed metric names (EC2's capacity-manager metrics) cannot read
    "cpu utilization"; Lightsail's list holds CPUUtilization; a free name (CloudWatch) any."""
    from mcp_sre.plugin_manager import make_plugin_manager
    from mcp_sre.retrieval.documents import build_document, spec_metric_names
    from mcp_sre.retrieval.rerank import metrics_unread
    from mcp_sre.specs.model import SpecSource
    from mcp_sre.specs.parse import parse_content

    def reader(op_id: str, schema: dict) -> dict:
        return {"get": {"operationId": op_id, "summary": "Metric data over a span of time",
                        "parameters": [{"name": "metricName", "in": "query", "schema": schema},
                                       {"name": "startTime", "in": "query",
                                        "schema": {"type": "string"}}],
                        "responses": {"200": {"description": "OK"}}}}

    spec = {"openapi": "3.0.3", "info": {"title": "metrics", "version": "1"}, "paths": {
        "/capacity": reader("getCapacityMetrics", {"type": "array", "items": {
            "type": "string", "enum": ["reservation-max-utilization", "spot-total-count"]}}),
        "/instance": reader("getInstanceMetrics", {"type": "string",
                                                   "enum": ["CPUUtilization", "NetworkIn"]}),
        "/any": reader("getAnyMetric", {"type": "string"}),
    }}
    import json

    specs = parse_content(make_plugin_manager(only={"openapi"}), json.dumps(spec).encode(),
                          SpecSource(name="m", provider="m", url="m.json"))
    docs = sorted((build_document(s) for s in specs), key=lambda d: d.name)
    assert [len(spec_metric_names(s)) for s in sorted(specs, key=lambda s: s.name)] == [0, 2, 2]
    index = SimpleNamespace(docs=docs)
    rw = QueryRewriter(VOCAB)
    unread = metrics_unread(index, rw.rewrite("cpu utilization of instance i-1 over the last hour"),
                            np.arange(3))  # type: ignore[arg-type]
    assert dict(zip([d.name for d in docs], unread.tolist(), strict=True)) == {
        "getAnyMetric": False, "getCapacityMetrics": True, "getInstanceMetrics": False}
    spot = metrics_unread(index, rw.rewrite("spot total count this week"), np.arange(3))  # type: ignore[arg-type]
    assert not spot[1]


def test_a_set_of_things_is_those_things_for_the_head_noun() -> None:
    """"the A record of api" is about records: ListResourceRecordSets is fully about them, a
    record's facet (GetRecordStatus) half."""
    from mcp_sre.retrieval.rerank import head_match

    ops = [["list", "resource", "record", "sets"], ["get", "record", "status"]]
    index = SimpleNamespace(resource=[resource_of(words) for words in ops])
    q = QueryRewriter(VOCAB).rewrite("where does the A record of api point")
    assert q.head == "record"
    assert head_match(index, q, np.arange(2)).tolist() == [1.0, 0.5]  # type: ignore[arg-type]


def test_a_named_service_that_holds_nothing_of_the_head_counts_less() -> None:
    """"EC2 ... vCPU quota": EC2 acts on no quota, so naming it says less than usual; a head
    no operation acts on (a guess the index cannot judge) changes nothing."""
    from mcp_sre.retrieval.rerank import W_NOT_HELD, _holds_head

    index = SimpleNamespace(service_resources=[frozenset({"instanc", "volum"}),
                                               frozenset({"quota"})],
                            resource_stems=frozenset({"instanc", "volum", "quota"}))
    q = QueryRewriter(VOCAB).rewrite("what is our EC2 on-demand standard instances vCPU quota")
    assert q.head == "quota"
    assert _holds_head(index, q).tolist() == [W_NOT_HELD, 1.0]  # type: ignore[arg-type, union-attr]
    q = QueryRewriter(VOCAB).rewrite("why is the thing broken")
    assert _holds_head(index, q) == 1.0  # type: ignore[arg-type]
