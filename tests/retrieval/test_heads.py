"""The head noun of a request: what it asks about, read from its noun phrases."""

from __future__ import annotations

from mcp_sre.retrieval.documents import stem
from mcp_sre.retrieval.rewrite import QueryRewriter


def test_a_plural_after_a_name_is_what_the_named_object_holds() -> None:
    """"rest api a1b2c3 stages": the stages of that API are asked for, not the API."""
    rw = QueryRewriter()
    assert rw.rewrite("apigw rest api a1b2c3d4e5 stages + deployment ids").head == stem("stages")
    assert rw.rewrite("instance i-0abc12 volumes").head == stem("volumes")
    assert rw.rewrite("pod web-7f9c2 logs").head == stem("logs")
    assert rw.rewrite("r53 zone Z0123ABC records dump").head == stem("records")  # an order after
    # a singular after the name is an aspect of it: the named object stays the head
    assert rw.rewrite("rds db-1 engine version").head == "rds"


def test_a_span_of_time_is_no_head_noun() -> None:
    """"throttled reads last 1h": the reads, not "1h" nor "last"."""
    from mcp_sre.retrieval.heads import head_noun
    from mcp_sre.retrieval.phrases import PhraseMatcher
    assert head_noun("throttled reads last 1h", [], PhraseMatcher([]))[-1] == "read"
    assert head_noun("failed logins past 30 minutes", [], PhraseMatcher([]))[-1] == "login"


def test_examples_after_the_ask_are_not_its_head() -> None:
    """"account limits, e.g. rules per listener": the limits are asked about."""
    from mcp_sre.retrieval.heads import head_noun
    from mcp_sre.retrieval.phrases import PhraseMatcher
    show = PhraseMatcher(["show"])
    assert head_noun("show the account limits, e.g. rules per listener", [], show)[-1] == "limit"
    assert head_noun("show the account limits such as rules per listener", [], show)[-1] == "limit"
    assert head_noun("e.g. rules per listener", [], show)[-1] == "rule"  # nothing else asked


def test_what_stands_behind_an_object_is_the_head() -> None:
    """"endpoints behind service checkout": the endpoints are asked for; "behind" ends the
    phrase as "of" does."""
    rw = QueryRewriter()
    assert rw.rewrite("endpoints behind service checkout").head == stem("endpoints")
    assert rw.rewrite("endpoints of service checkout").head == stem("endpoints")
    # "which pod IPs are behind it": the IPs a service's Endpoints hold (the vocabulary's
    # phrase names that kind last)
    assert stem("endpoints") in rw.rewrite("which pod IPs are behind service cart").head_synonyms
