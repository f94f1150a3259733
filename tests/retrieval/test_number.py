"""The reranker's number feature: Chinese does not inflect, so a noun is plural where a word
says so ("所有", "哪些", "多少个") and only after that word, one where a name stands next to it
("daemonset fluent-bit"), and any where nothing English does; an English short name ("ds")
does not inflect either."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.retrieval.documents import stem
from mcp_sre.retrieval.number import plurality
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
    # the word that lists, ending the request, makes what is before it plural
    assert _scores("prod 集群的 managed daemonset 列一下")[-2:] == [1.0, -1.0]
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
    *_, list_ds, read_ds = _scores("logging ns daemonset 状态")  # where to look, no name
    assert (list_ds, read_ds) == (1.0, -1.0)


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


def test_an_operation_whose_reply_is_many_items_fits_a_plural_request() -> None:
    """DescribeTargetHealth names one health but replies with TargetHealthDescriptions, one per
    target: "哪些 target 是 unhealthy" is not asking for one item's facet."""
    many = np.zeros(len(OPS), np.float32)
    many[1] = many[2] = 1.0  # as if reading a node, and its status, replied with many
    index = SimpleNamespace(**{**vars(INDEX), "many": many})
    list_node, read_node, read_status, *_ = plurality(
        index, QueryRewriter(VOCAB).rewrite("列出所有节点及其状态"), ALL).tolist()  # type: ignore[arg-type]
    assert list_node == 1.0 and read_node == 0.0 and read_status == 0.0


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
    ("ds fluent-bit", "fluent-bit ds") or another word after it ("ds status") keeps it one.
    So does a full kind word followed by where to look ("a daemonset in namespace logging")."""
    for query in ("ds -n logging", "ds in ns logging", "ds",
                  "is a daemonset in namespace logging failing"):
        assert _scores(query)[-2:] == [1.0, -1.0], query
    assert _scores("describe the daemonset")[-2:] == [0.0, 1.0]  # a full word: either
    for query in ("ds fluent-bit -n logging", "fluent-bit ds", "ds status"):
        assert _scores(query)[-2:] == [0.0, 1.0], query
