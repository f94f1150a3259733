"""The reranker's number feature on Chinese requests: Chinese does not inflect, so a noun is
plural where a word says so ("所有", "哪些", "多少个") and only after that word, one where a
name stands next to it ("daemonset fluent-bit"), and any where nothing English does."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.retrieval.documents import stem
from mcp_sre.retrieval.rerank import plurality
from mcp_sre.retrieval.resources import resource_of
from mcp_sre.retrieval.rewrite import QueryRewriter
from mcp_sre.retrieval.vocabulary import load_vocabulary

OPS = [["list", "core", "v1", "node"], ["read", "core", "v1", "node"],
       ["read", "core", "v1", "node", "status"],
       ["list", "networking", "v1", "ingress", "class"],
       ["read", "networking", "v1", "ingress", "class"],
       ["list", "apps", "v1", "namespaced", "daemon", "set"],
       ["read", "apps", "v1", "namespaced", "daemon", "set"]]
VOCAB = load_vocabulary(make_plugin_manager())
NAME_WORDS = {stem(w) for words in OPS for w in words} | {"backup", "pend", "default"}
INDEX = SimpleNamespace(resource=[resource_of(words, VOCAB.head_compounds) for words in OPS],
                        head_compounds=VOCAB.head_compounds,
                        joined_words={"ingressclass": ("ingress", "class")},
                        many=np.zeros(len(OPS), np.float32),
                        bm25=SimpleNamespace(fields={"name": SimpleNamespace(vocab=NAME_WORDS)}))
ALL = np.arange(len(OPS))


def _scores(query: str) -> list[float]:
    return plurality(INDEX, QueryRewriter(VOCAB).rewrite(query), ALL).tolist()  # type: ignore[arg-type]


def test_a_chinese_plural_word_makes_the_noun_after_it_plural() -> None:
    list_node, read_node, *_ = _scores("列出所有节点")
    assert list_node == 1.0 and read_node == -1.0
    assert _scores("集群里一共有多少个 namespace")[:2] == [0.0, 0.0]  # no namespace op here
    assert _scores("看下最近的节点")[:2] == [1.0, -1.0]  # the recent ones


def test_one_items_facet_does_not_fit_a_plural_request() -> None:
    """"列出所有节点及其状态": every node's status is in the list, not in one node's status."""
    list_node, read_node, read_status, *_ = _scores("列出所有节点及其状态")
    assert list_node == 1.0 and read_node == -1.0 and read_status == -1.0
    assert _scores("查看节点 node-1 的状态")[2] == 1.0  # one node: its status fits
    # in English a plural asks for each item's facet as often as for the list ("queues with
    # more than 1000 messages" needs each queue's attributes): no penalty
    assert _scores("list all nodes and what they report")[2] == 0.0
    # asked to list them: "their status" is each one's, in the list, not one node's status
    assert _scores("list all nodes and their status")[2] == 0.0
    assert _scores("show node node-1 and its status")[2] == 1.0


def test_without_a_plural_word_either_number_fits() -> None:
    assert _scores("查看节点 node-1")[:2] == [1.0, 1.0]


def test_quoted_text_is_no_noun_of_the_request() -> None:
    """'IngressClass not found' is what was printed: the classes asked for are plural."""
    list_class, read_class = _scores(
        "apply fails with 'IngressClass not found'. Which ingressclasses exist")[3:5]
    assert list_class == 1.0 and read_class == -1.0


def test_a_noun_before_the_plural_word_is_not_made_plural() -> None:
    *_, list_ds, read_ds = _scores("daemonset fluent-bit 有几个节点上没跑起来")
    assert read_ds == 1.0 and list_ds < read_ds  # one daemonset, named


def test_a_name_next_to_a_noun_makes_it_one() -> None:
    """"daemonset fluent-bit 的状态": that daemonset; "daemonset 的状态", with no name, any
    daemonset, so the list; "daemonset backup": backup is a word operations use, so either."""
    *_, list_ds, read_ds = _scores("看一下 daemonset fluent-bit 的状态")
    assert (list_ds, read_ds) == (0.0, 1.0)
    *_, list_ds, read_ds = _scores("看一下 tls-shop 这个 daemonset 的状态")
    assert (list_ds, read_ds) == (0.0, 1.0)
    *_, list_ds, read_ds = _scores("看一下 fluentd 那个 daemonset 的状态")
    assert (list_ds, read_ds) == (0.0, 1.0)
    *_, list_ds, read_ds = _scores("看一下命名空间里 daemonset 的状态")
    assert (list_ds, read_ds) == (1.0, -1.0)
    *_, list_ds, read_ds = _scores("看一下 daemonset backup 的状态")
    assert list_ds == read_ds == 1.0


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


def test_which_one_of_a_kind_is_picked_from_the_list() -> None:
    """"which daemonset is ..." with no name asks to pick one among all: the list fits."""
    *_, list_ds, read_ds = _scores("which daemonset is missing pods on some nodes")
    assert list_ds == 1.0 and read_ds == -1.0
    *_, list_ds, read_ds = _scores("what does daemonset fluent-bit-7 mount")
    assert read_ds == 1.0
    # a state word before an unnamed kind: whichever are so ("pending csr")
    *_, list_ds, read_ds = _scores("stuck daemonset in kube-system")
    assert list_ds == 1.0 and read_ds == -1.0
    assert _scores("stuck daemonset fluent-bit-7")[-1] == 1.0
    # "the default ingressclass": the one marked so among them all
    list_class, read_class = _scores("what is the default ingressclass")[3:5]
    assert list_class == 1.0 and read_class == -1.0
    # a kind written as one word is the kind its last word names (IngressClass)
    list_class, read_class = _scores("which ingressclass is marked as the default one")[3:5]
    assert list_class == 1.0 and read_class == -1.0
    # Chinese "哪个" with no name picks one from the list too, also after a short name
    *_, list_ds, read_ds = _scores("哪个 ds 在 node-3 上没有跑起来")
    assert list_ds == 1.0 and read_ds == -1.0
    *_, list_ds, read_ds = _scores("所有 ds 的状态")
    assert list_ds == 1.0 and read_ds == -1.0


def test_a_set_of_things_is_those_things_for_the_head_noun() -> None:
    """"the A record of api" is about records: ListResourceRecordSets is fully about them, a
    record's facet (GetRecordStatus) half."""
    from mcp_sre.retrieval.rerank import head_match

    ops = [["list", "resource", "record", "sets"], ["get", "record", "status"]]
    index = SimpleNamespace(resource=[resource_of(words) for words in ops])
    q = QueryRewriter(VOCAB).rewrite("where does the A record of api point")
    assert q.head == "record"
    assert head_match(index, q, np.arange(2)).tolist() == [1.0, 0.5]  # type: ignore[arg-type]


def test_an_operation_whose_reply_is_many_items_fits_a_plural_request() -> None:
    """DescribeTargetHealth names one health but replies with TargetHealthDescriptions, one per
    target: "哪些 target 是 unhealthy" is not asking for one item's facet."""
    many = np.zeros(len(OPS), np.float32)
    many[1] = many[2] = 1.0  # as if reading a node, and its status, replied with many
    index = SimpleNamespace(**{**vars(INDEX), "many": many})
    list_node, read_node, read_status, *_ = plurality(
        index, QueryRewriter(VOCAB).rewrite("列出所有节点及其状态"), ALL).tolist()  # type: ignore[arg-type]
    assert list_node == 1.0 and read_node == 0.0 and read_status == 0.0


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


def test_asking_whether_any_is_so_wants_the_list() -> None:
    """"有没有失败的 daemonset" / "daemonset 有失败的吗", nothing named: whether any of them is so,
    so the list; with a name it is that one ("daemonset fluentd 有没有跑起来")."""
    *_, list_ds, read_ds = _scores("集群里有没有失败的 daemonset")
    assert list_ds == 1.0 and read_ds == -1.0
    *_, list_ds, read_ds = _scores("昨晚 daemonset 有失败的吗")
    assert list_ds == 1.0 and read_ds == -1.0
    *_, list_ds, read_ds = _scores("daemonset fluentd-7 有没有跑起来")
    assert read_ds == 1.0


def test_what_happened_over_a_span_in_chinese_is_many() -> None:
    """"最近 24 小时失败的 daemonset": whichever failed over the span, so the list."""
    *_, list_ds, read_ds = _scores("最近 24 小时失败的 daemonset")
    assert list_ds == 1.0 and read_ds == -1.0
    *_, list_ds, read_ds = _scores("daemonset fluentd-7 最近 24 小时的状态")
    assert read_ds == 1.0  # one, named


def test_a_kind_written_as_one_word_takes_the_number_of_its_last_compound() -> None:
    """"哪些 clusterrolebinding": the role bindings (RoleBinding is one compound), so the list."""
    ops = [["list", "rbac", "authorization", "v1", "cluster", "role", "binding"],
           ["read", "rbac", "authorization", "v1", "cluster", "role", "binding"]]
    index = SimpleNamespace(resource=[resource_of(w, VOCAB.head_compounds) for w in ops],
                            head_compounds=VOCAB.head_compounds,
                            joined_words={"clusterrolebind": ("cluster", "role", "bind")},
                            many=np.zeros(2, np.float32),
                            bm25=SimpleNamespace(fields={"name": SimpleNamespace(vocab=set())}))
    q = QueryRewriter(VOCAB).rewrite("看看哪些 clusterrolebinding 绑定了 cluster-admin")
    assert plurality(index, q, np.arange(2)).tolist() == [1.0, -1.0]  # type: ignore[arg-type]


def test_a_short_name_compares_with_its_kind_whatever_its_stem() -> None:
    """"hpa" spells out to HorizontalPodAutoscaler, whose stem is no fixed point of the
    stemmer (autoscal -> autosc): the request's noun must still meet the operation's resource.
    A kind said twice is named if one of them has a name ("HPA 不扩容, 看下 hpa checkout")."""
    ops = [["list", "autoscaling", "v2", "namespaced", "horizontal", "pod", "autoscaler"],
           ["read", "autoscaling", "v2", "namespaced", "horizontal", "pod", "autoscaler",
            "status"]]
    index = SimpleNamespace(resource=[resource_of(w, VOCAB.head_compounds) for w in ops],
                            head_compounds=VOCAB.head_compounds, joined_words={},
                            many=np.zeros(2, np.float32), bm25=INDEX.bm25)

    def scores(query: str) -> list[float]:
        q = QueryRewriter(VOCAB).rewrite(query)
        return plurality(index, q, np.arange(2)).tolist()  # type: ignore[arg-type]

    assert scores("prod ns 的 hpa 状态") == [1.0, -1.0]
    assert scores("HPA 还是不扩容, 看下 hpa checkout 的状态")[0] != 1.0
    # a joined name before 的 names the object itself (leases, endpoints, hpas are named
    # after what they serve); a namespace before 的 is where to look
    assert scores("看下 web-frontend 的 hpa 状态")[0] != 1.0
    assert scores("ns payments-prod 的 hpa 状态") == [1.0, -1.0]


def test_an_english_plural_in_a_chinese_request_is_plural() -> None:
    """"pending daemonsets 有没有": English inflects inside Chinese too, so the list; a plural
    word inside an English phrase ("Secrets Manager 里") is no noun asked about."""
    *_, list_ds, read_ds = _scores("pending daemonsets 有没有")
    assert list_ds == 1.0 and read_ds == -1.0
    *_, list_ds, read_ds = _scores("default daemonset 是哪个")
    assert list_ds == 1.0 and read_ds == -1.0
    *_, list_ds, read_ds = _scores("看下 daemonsets backup 的状态")
    assert list_ds == read_ds == 1.0  # "daemonsets backup ...": not the phrase's last word


def test_a_short_name_with_only_where_to_look_is_the_list() -> None:
    """"ds -n logging", "ds in ns logging": a short name does not inflect, and written with
    nothing but where to look it asks what kubectl get asks, the list; a name beside it
    ("ds fluent-bit", "fluent-bit ds") or another word after it ("ds status") keeps it one."""
    for query in ("ds -n logging", "ds in ns logging", "ds"):
        assert _scores(query)[-2:] == [1.0, -1.0], query
    for query in ("ds fluent-bit -n logging", "fluent-bit ds", "ds status"):
        assert _scores(query)[-2:] == [0.0, 1.0], query
