from __future__ import annotations

from mcp_sre.retrieval.phrases import PhraseMatcher


def test_longest_chinese_phrase_claims_its_characters_once() -> None:
    m = PhraseMatcher(["节点", "节点组", "组"])
    assert m.find("列出节点组") == ["节点组"]  # not also 节点 or 组 inside it


def test_spacing_between_chinese_and_latin_is_ignored() -> None:
    m = PhraseMatcher(["公网ip"])
    assert m.find("所有的公网 ip") == ["公网ip"] == m.find("所有的公网ip")


def test_english_on_word_boundaries_and_without_stopwords() -> None:
    m = PhraseMatcher(["remove tag", "pod"])
    assert m.find("remove a tag from the pods") == ["remove tag"]  # "pods" is not "pod"
    assert m.find("show pod web") == ["pod"]
