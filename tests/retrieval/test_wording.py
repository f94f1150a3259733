"""The wording patterns the rewriter reads requests with: spans of time, states, records."""

from __future__ import annotations

from mcp_sre.retrieval.documents import stem
from mcp_sre.retrieval.rewrite import QueryRewriter
from mcp_sre.retrieval.vocabulary import W_WEAK_WORD
from mcp_sre.retrieval.wording import LAST_DONE, NEGATED, TIME_WINDOW


def test_a_span_of_time_in_short_or_chinese_forms() -> None:
    for request in ("cw cpu i-0abc12 last 2h", "errors past 30m", "alarm x flipped last night",
                    "web-asg 昨晚扩缩容记录", "过去 24 小时的 RDS events", "过去1h ERROR 日志",
                    "最近 30m 的 5xx"):
        assert TIME_WINDOW.search(request), request
    for request in ("the last deployment of service x", "2h timeout on lambda x", "h2 settings",
                    "最近 3 hosts"):
        assert not TIME_WINDOW.search(request), request


def test_when_an_action_was_last_done() -> None:
    assert LAST_DONE.findall("secret x last rotated when") == ["rotated"]
    assert not LAST_DONE.findall("the last deployment")


def test_an_action_word_before_a_record_noun_orders_nothing() -> None:
    """"扩缩容记录": the scaling records are asked for; "给 web-asg 扩缩容" orders a scaling."""
    rw = QueryRewriter()
    assert "scale" not in rw.rewrite("web-asg 昨晚扩缩容记录").intents
    assert "scale" in rw.rewrite("给 web-asg 扩缩容").intents


def test_what_a_request_says_not_to_fetch_names_nothing_wanted() -> None:
    """"do not show me the value": the value is unwanted; "without a public ip" and "do not
    have limits" filter what is asked, so their words count."""
    said = [m.group(1) or m.group(2) for m in NEGATED.finditer(
        "when was secret x-1 last rotated? do not show me the value, metadata only")]
    assert said == ["value"]
    assert not NEGATED.search("list instances without a public ip")
    assert not NEGATED.search("pods that do not have limits")
    q = QueryRewriter().rewrite("is rotation on for secret x-1? Don't show me the secret value.")
    assert q.terms[stem("value")] == W_WEAK_WORD and q.terms["secret"] == 1.0  # said elsewhere


def test_cant_and_wont_are_can_not_and_will_not() -> None:
    """"can't" is no word "ca" and a not: a stray stem would be searched for."""
    from mcp_sre.retrieval.rewrite import QueryRewriter

    rw = QueryRewriter()
    assert rw.rewrite("pods can't reach the db").words[:3] == ["pods", "can", "not"]
    assert rw.rewrite("it won't start").words == ["it", "will", "not", "start"]
    assert "ca" not in rw.rewrite("I CAN'T connect").terms
