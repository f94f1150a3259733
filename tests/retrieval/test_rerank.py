"""The reranker's number feature on Chinese requests: Chinese does not inflect, so a noun is
plural only where a word says so ("所有", "哪些", "多少个") and only after that word."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.retrieval.rerank import plurality
from mcp_sre.retrieval.resources import resource_of
from mcp_sre.retrieval.rewrite import QueryRewriter, load_vocabulary

OPS = [["list", "core", "v1", "node"], ["read", "core", "v1", "node"],
       ["list", "apps", "v1", "namespaced", "daemon", "set"],
       ["read", "apps", "v1", "namespaced", "daemon", "set"]]
VOCAB = load_vocabulary(make_plugin_manager())
INDEX = SimpleNamespace(resource=[resource_of(words, VOCAB.head_compounds) for words in OPS],
                        head_compounds=VOCAB.head_compounds)
ALL = np.arange(len(OPS))


def _scores(query: str) -> list[float]:
    return plurality(INDEX, QueryRewriter(VOCAB).rewrite(query), ALL).tolist()  # type: ignore[arg-type]


def test_a_chinese_plural_word_makes_the_noun_after_it_plural() -> None:
    list_node, read_node, *_ = _scores("列出所有节点")
    assert list_node == 1.0 and read_node == -1.0
    assert _scores("集群里一共有多少个 namespace")[:2] == [0.0, 0.0]  # no namespace op here


def test_without_a_plural_word_either_number_fits() -> None:
    assert _scores("查看节点 node-1")[:2] == [1.0, 1.0]


def test_a_noun_before_the_plural_word_keeps_either_number() -> None:
    *_, list_ds, read_ds = _scores("daemonset fluent-bit 有几个节点上没跑起来")
    assert list_ds == read_ds == 1.0
