"""Spans of time in a request: when it asks for data over a span (a metric series, a
history) and when a past moment only dates the event it asks about now."""

from __future__ import annotations

from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.retrieval.documents import stem
from mcp_sre.retrieval.rewrite import W_EXPANDED, QueryRewriter
from mcp_sre.retrieval.vocabulary import W_WEAK_WORD, load_vocabulary


def test_a_span_of_time_is_noticed() -> None:
    rw = QueryRewriter()
    for asked in ("CPU utilization history of instance i-1 for the last 6 hours",
                  "RDS 实例 orders-db 过去24小时的连接数变化", "EBS 卷最近一小时的 IOPS"):
        assert rw.rewrite(asked).time_window, asked
    for state in ("list pods in namespace shop", "最近的告警", "show the last deployment"):
        assert not rw.rewrite(state).time_window, state


def test_a_count_over_a_span_of_time_is_a_metric_series() -> None:
    """"how many messages were deleted per minute over the last 2 hours": the answer is a
    metric's history, whichever service the request names."""
    rw = QueryRewriter()
    q = rw.rewrite("SQS queue image-jobs: how many messages were deleted per minute over the last 2 hours")
    assert q.time_window and {"metric", "statist"} <= set(q.terms)
    assert "metric" not in rw.rewrite("how many messages are in SQS queue image-jobs").terms
    assert "metric" in rw.rewrite("过去 2 小时 image-jobs 队列每分钟删除了多少条消息").terms


def test_a_span_of_time_asks_weakly_for_a_history() -> None:
    """"which alarms flipped state in the last 24 hours": the alarms' history, a little; a
    count over the span is a metric series instead, and no span asks for no history."""
    rw = QueryRewriter()
    assert rw.rewrite("which alarms flipped state in the last 24 hours").terms["histori"] == W_WEAK_WORD
    assert "histori" not in rw.rewrite("which alarms are in ALARM state").terms
    assert "histori" not in rw.rewrite("how many alarms fired per hour in the last day").terms


def test_a_quantity_no_spec_names_over_a_span_is_a_metric() -> None:
    """"BurstCreditBalance over the last 24 hours": no operation, parameter or reply field of
    the index is called that, so it names a metric and the request asks for its series; a
    reply field's identifier (stoppedReason) or a service's name (ElastiCache) does not."""
    known = frozenset({"describefilesystems", "stoppedreason", "filesystemid"})
    rw = QueryRewriter(load_vocabulary(make_plugin_manager()), identifiers=known)
    asks = rw.rewrite("EFS fs-0c8e21 BurstCreditBalance over the last 24 hours").terms
    assert asks.get("metric", 0.0) >= 0.45
    for request in ("stoppedReason of tasks stopped in the last 24 hours",
                    "ElastiCache clusters created in the last 24 hours",
                    "EFS BurstCreditBalance"):  # no span of time
        assert rw.rewrite(request).terms.get("metric", 0.0) < 0.45, request
    assert QueryRewriter().rewrite(  # no index, nothing known
        "EFS BurstCreditBalance over the last 24 hours").terms.get("metric", 0.0) < 0.45


def test_how_busy_over_a_span_of_time_asks_for_a_metric_series() -> None:
    rw = QueryRewriter()
    assert rw.rewrite("errors and throttles of lambda fn resizer over the last 30 min").terms.get(
        stem("metric"), 0.0) >= W_EXPANDED
    assert rw.rewrite("EBS 卷 vol-1 过去一小时的使用率").terms.get(stem("metric"), 0.0) >= W_EXPANDED
    # now, not over a span: the object's state, no series
    assert rw.rewrite("throttles of lambda fn resizer").terms.get(stem("metric"), 0.0) < W_EXPANDED
    # an order to search text over a span: the text, though a count is what it is for
    assert rw.rewrite("search log group /aws/lambda/x for 'Task timed out' between 13:00 and "
                      "14:00 yesterday so I can count how many").terms.get(
        stem("metric"), 0.0) < W_EXPANDED


def test_half_an_hour_is_a_span_of_time() -> None:
    assert QueryRewriter().rewrite("lambda fn-1 最近半小时日志里的 ERROR").time_window


def test_the_history_of_a_metric_is_its_series() -> None:
    """"CPU utilization history of i-1 for the last 6 hours" is a metric series, not an alarm
    or price history: "history" weighs little there, and stays where something changed."""
    rw = QueryRewriter()
    assert rw.rewrite("CPU utilization history of x for the last 6 hours").terms["histori"] <= 0.25
    assert rw.rewrite("alarm history of x for the last 6 hours").terms["histori"] == 1.0


def test_a_past_moment_with_a_question_about_now_is_no_span() -> None:
    """"detached yesterday, what is its state now": the state now, not a series over a span;
    "过去 3 小时" stays a span whatever else is said."""
    rw = QueryRewriter()
    assert not rw.rewrite("vol-0f1e2d 这块盘昨天被 detach 了，现在是什么状态").time_window
    assert not rw.rewrite("volume vol-0f1e2d was detached yesterday, what is its state now").time_window
    assert rw.rewrite("volume vol-0f1e2d was detached yesterday, what happened").time_window
    assert rw.rewrite("过去 3 小时 vol-0f1e2d 现在的 IOPS").time_window
