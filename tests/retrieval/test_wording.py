"""The wording patterns the rewriter reads requests with: spans of time, states, records."""

from __future__ import annotations

from mcp_sre.retrieval.rewrite import QueryRewriter
from mcp_sre.retrieval.wording import LAST_DONE, TIME_WINDOW


def test_a_span_of_time_in_short_or_chinese_forms() -> None:
    for request in ("cw cpu i-0abc12 last 2h", "errors past 30m", "alarm x flipped last night",
                    "web-asg 昨晚扩缩容记录", "过去 24 小时的 RDS events"):
        assert TIME_WINDOW.search(request), request
    for request in ("the last deployment of service x", "2h timeout on lambda x", "h2 settings"):
        assert not TIME_WINDOW.search(request), request


def test_when_an_action_was_last_done() -> None:
    assert LAST_DONE.findall("secret x last rotated when") == ["rotated"]
    assert not LAST_DONE.findall("the last deployment")


def test_an_action_word_before_a_record_noun_orders_nothing() -> None:
    """"扩缩容记录": the scaling records are asked for; "给 web-asg 扩缩容" orders a scaling."""
    rw = QueryRewriter()
    assert "scale" not in rw.rewrite("web-asg 昨晚扩缩容记录").intents
    assert "scale" in rw.rewrite("给 web-asg 扩缩容").intents
