"""The kind of object a request names, and the operations that take one: read from the
request's nouns next to a name and from the operations' identifier parameters."""

from __future__ import annotations

import numpy as np

from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.retrieval.documents import stem
from mcp_sre.retrieval.owners import kinds_meant, named_kinds, taken_kinds
from mcp_sre.retrieval.resources import resource_of
from mcp_sre.retrieval.vocabulary import load_vocabulary

VOCAB = load_vocabulary(make_plugin_manager())


def _taken(name_words: list[str], params: list[str]) -> set[str]:
    return set(taken_kinds(name_words, params, resource_of(name_words)))


def test_an_identifier_parameter_names_the_kind_it_takes() -> None:
    assert _taken(["describe", "db", "instances"], ["DBInstanceIdentifier", "Filters"]) == {
        stem("instance")}
    assert _taken(["list", "subscriptions", "by", "topic"], ["TopicArn", "NextToken"]) == {
        stem("topic")}
    # a bare name or Id identifies the operation's own resource (and the thing a facet is of)
    assert _taken(["describe", "cluster"], ["name"]) == {stem("cluster")}
    assert _taken(["read", "core", "v1", "namespaced", "pod", "log"], ["name", "namespace"]) == {
        stem("log"), stem("pod")}
    # a one-word parameter the name holds (Bucket of GetBucketLogging) names its object too
    assert _taken(["get", "bucket", "logging"], ["Bucket", "ExpectedBucketOwner"]) == {"bucket"}
    # a code identifies an object as an id does (QuotaCode of GetServiceQuota)
    assert stem("quota") in _taken(["get", "service", "quota"], ["ServiceCode", "QuotaCode"])
    # a list's bare Id names the parent it lists under, not one of what it lists; ids do
    invalidations = ["list", "invalidations", "for", "distribution", "tenant"]
    assert stem("invalidation") not in _taken(invalidations, ["Id", "Marker"])
    assert stem("build") in _taken(["batch", "get", "builds"], ["ids"])
    # a read of one thing's plural takes that thing by its bare name (the canary's runs)
    assert _taken(["get", "canary", "runs"], ["Name", "NextToken"]) == {stem("canary")}
    # a catalogue takes no object: its parameters shape the listing
    assert _taken(["describe", "cluster", "versions"],
                  ["clusterType", "maxResults", "status"]) == set()


def _named(query: str, *, plural_head: bool = False) -> set[str]:
    return set(named_kinds(query.lower(), [], VOCAB.terms, plural_head=plural_head))


def test_the_nouns_next_to_a_name_are_the_kinds_named() -> None:
    assert stem("instance") in _named("what engine version is the rds instance i-0abc123 on")
    assert _named("how deep is the orders-1 queue") == {stem("queue")}  # after the name
    assert "node" in _named("ElastiCache 节点 cache-001 的版本")  # a Chinese noun, translated
    assert "node" in _named("node ip-10-0-1-5 上有哪些 taint")
    assert _named("看下 coredns 那个 configmap 的内容") == {"configmap"}  # "that one": a name
    assert _named("alias/prod-db 这把 key 有没有开自动轮换") == {"key"}  # any measure word
    assert {"log", "group"} <= _named("search log group /aws/lambda/x for errors")  # a path
    assert {"log", "group"} <= _named("在 /aws/lambda/x 这个日志组里搜一下")  # after a pointer
    # no name, no kind: a region, a span of time or a number is none
    assert _named("list instances in us-east-1 for the last 24h") == set()
    assert _named("what's the engine version of rds instances") == set()
    assert _named("stages of rest api a1b2c3") == {"api", "rest"}  # a lower-case id
    # nor what was done to it ("x last rotated")
    assert _named("when was prod/db-password last rotated") == set()
    # an aspect after a name is no kind of object ("x failover status")
    assert _named("elasticache sess-cache-01 failover status") == {"failov", "elasticach"}


def test_a_plural_after_a_name_is_what_the_object_holds() -> None:
    """"order-events queue" names a queue; "sns alerts-prod subscriptions" the topic's
    subscriptions, so no subscription is named."""
    assert stem("queue") in _named("how deep is the orders-1 queue")
    assert stem("subscription") not in _named("sns alerts-1 subscriptions")
    # a word saying which of them comes first ("recent"); a compound ends in the plural
    assert stem("invalidation") not in _named("cloudfront e2qwerty7 recent invalidations")
    held = set(named_kinds("s3 app-logs-1 lifecycle rules", [], VOCAB.terms,
                           resources={stem("rule"), stem("bucket")}))
    assert stem("lifecycle") not in held
    # a verb in -s after the noun is no plural held: the pipeline is named
    assert stem("pipeline") in set(named_kinds("deploy-1 pipeline seems stuck", [], VOCAB.terms,
                                               resources={stem("pipeline"), stem("stage")}))


def test_a_place_a_plural_is_looked_for_in_names_no_kind() -> None:
    """"which pods run on node worker-7" lists pods; the node is where, not what."""
    assert _named("which pods run on node worker-7", plural_head=True) == set()
    assert _named("logs of pod web-7f9", plural_head=True) == {"pod"}  # "of": the pod's own
    assert _named("which pods run on node worker-7") == {"node"}
    # the messages in a queue are the queue's own count
    assert _named("how many messages are in the orders-1 queue", plural_head=True) == {"queue"}


def test_a_short_form_no_operation_takes_stands_for_the_kinds_it_begins() -> None:
    taken = frozenset({"repositori", "distribut", "pod", "poddisruptionbudget"})
    assert kinds_meant(frozenset({"repo"}), taken) == {"repo", "repositori"}
    assert kinds_meant(frozenset({"pod"}), taken) == {"pod"}  # a kind of its own


def test_operations_that_take_the_named_object_are_marked(shared_retriever) -> None:
    """"the k8s version of eks cluster prod-eks" is DescribeCluster's (it takes the cluster),
    not the version catalogue's, whose name holds the words asked; over a span of time, a
    metric of a named instance is no reason to favour what takes an instance."""
    from mcp_sre.retrieval.rerank import takes_named

    index = shared_retriever.current()
    by_id = {d.id: i for i, d in enumerate(index.docs)}
    cands = np.array([by_id["aws/eks/DescribeCluster"], by_id["aws/eks/DescribeClusterVersions"]])
    rewriter = shared_retriever.searcher.rewriter_for(index)  # knows prod-eks is a name
    asked = rewriter.rewrite("what k8s version is eks cluster prod-eks on")
    assert takes_named(index, asked, cands).tolist() == [1.0, 0.0]
    series = rewriter.rewrite("cpu metric of eks cluster prod-eks over the last 6 hours")
    assert takes_named(index, series, cands).tolist() == [0.0, 0.0]


def test_what_the_named_object_holds_is_listed_by_what_takes_it(shared_retriever) -> None:
    """"failed executions of ..." style: an operation about the head noun that also takes the
    named object is marked as both (owned), one about the object alone only as taking it."""
    from mcp_sre.retrieval.rerank import FeatureReranker

    index = shared_retriever.current()
    by_id = {d.id: i for i, d in enumerate(index.docs)}
    cands = np.array([by_id["aws/sns/ListSubscriptionsByTopic"], by_id["aws/sns/GetTopicAttributes"],
                      by_id["aws/sns/ListSubscriptions"]])
    q = shared_retriever.searcher.rewriter_for(index).rewrite(
        "list the subscriptions of sns topic alerts-prod-1")
    f = FeatureReranker().features(index, q, cands, np.ones(len(index), np.float32), None)
    assert f.takes.tolist() == [1.0, 1.0, 0.0]
    assert f.owned.tolist() == [1.0, 0.0, 0.0]


def test_a_kind_named_where_a_plural_is_looked_for_counts_for_what_lists_the_plural(
        shared_retriever) -> None:
    """"subscriptions on sns topic x" are the topic's (ListSubscriptionsByTopic takes it);
    "pods on node x" are looked for there (no pod list takes a node). Either way the kind goes
    aside, and only an operation about the plural uses it."""
    from mcp_sre.retrieval.rerank import head_match, takes_named

    located: set[str] = set()
    assert named_kinds("which pods run on node worker-7", [], VOCAB.terms, plural_head=True,
                       located=located) == set()
    assert located == {"node"}
    # a verb tying the plural to the object says which of them, and is no kind itself
    for request, kind in (("which pods are running image registry.local/shop:v2", "imag"),
                          ("volumes attached to instance web-1", "instanc")):
        located = set()
        assert named_kinds(request, [request.split()[-1]], VOCAB.terms, plural_head=True,
                           located=located) == set(), request
        assert located == {kind}, request
    located = set()  # "run command": a noun, no verb
    assert named_kinds("instances of run command abc-123", ["abc-123"], VOCAB.terms,
                       plural_head=True, located=located) and not located
    index = shared_retriever.current()
    by_id = {d.id: i for i, d in enumerate(index.docs)}
    cands = np.array([by_id["aws/sns/ListSubscriptionsByTopic"],
                      by_id["aws/sns/GetTopicAttributes"]])
    q = shared_retriever.searcher.rewriter_for(index).rewrite(
        "which subscriptions are on sns topic alerts-prod-1")
    assert stem("topic") in q.located_kinds and not q.named_kinds & q.located_kinds
    head = head_match(index, q, cands)
    assert takes_named(index, q, cands, head).tolist() == [1.0, 0.0]
    assert takes_named(index, q, cands).tolist() == [0.0, 0.0]  # no head: where, not what


def test_a_chinese_qualifier_after_a_name_is_no_kind() -> None:
    """"canary x 最近几次运行": 最近 (recent) says which runs; "当前部署的是": what is deployed
    now, no noun."""
    assert not named_kinds("canary api-check 最近几次运行", ["api-check"], VOCAB.terms) & {
        stem("recent")}
    assert not named_kinds("环境 checkout-prod 当前部署的是哪个版本", ["checkout-prod"],
                           VOCAB.terms) & {stem("deploy"), stem("current")}


def test_a_quoted_word_beside_a_noun_names_that_object() -> None:
    """"the 'live' alias of function x": 'live' names an alias (and "alias" is no plural)."""
    from mcp_sre.retrieval.resources import is_plural
    from mcp_sre.retrieval.rewrite import QueryRewriter

    assert not is_plural("alias") and is_plural("aliases") and is_plural("replicas")
    q = QueryRewriter().rewrite("which version does the 'live' alias of function x-1 point to")
    assert stem("alias") in q.named_kinds
