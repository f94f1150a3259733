"""Names in a request: the words of an object's name say which object, not what is asked."""

from __future__ import annotations

from mcp_sre.retrieval.documents import stem
from mcp_sre.retrieval.rewrite import QueryRewriter
from mcp_sre.retrieval.vocabulary import W_WEAK_WORD


def test_a_dotted_name_is_a_name() -> None:
    """"certificates.cert-manager.io" names a CRD, "api.example.com" a host: their words
    weigh little; a version ("v1.28") is no name."""
    rw = QueryRewriter(word_pairs=frozenset({"resource definition"}))
    q = rw.rewrite("crd 里有 certificates.cert-manager.io 吗")
    assert q.terms[stem("certificates")] < 0.5 and q.terms["crd"] == 1.0
    assert rw.rewrite("where does api.example.com resolve to").terms["api"] == W_WEAK_WORD
    assert rw.rewrite("which nodes run kubelet v1.28").terms["kubelet"] == 1.0
