"""Reply fields a request asks for in words (mcp_sre.retrieval.fields), through the rewriter
that puts them in ``RewrittenQuery.fields``."""

from __future__ import annotations

from mcp_sre.retrieval.documents import camel_words, stem
from mcp_sre.retrieval.fields import FieldWords
from mcp_sre.retrieval.index import spelt_fields
from mcp_sre.retrieval.rewrite import QueryRewriter


def _fields(*names: str) -> FieldWords:
    by_pair, kinds = spelt_fields(list(names), {f: camel_words(f) for f in names})
    return FieldWords(by_pair, kinds, {"loggroup": ("log", "group")})


def _rewriter(*names: str) -> QueryRewriter:
    """A rewriter that knows only ``names`` as reply fields."""
    by_pair, kinds = spelt_fields(list(names), {f: camel_words(f) for f in names})
    return QueryRewriter(field_words=by_pair, field_kinds=kinds)


def test_a_field_is_spelt_by_its_first_words_and_frames_left_over() -> None:
    fields = _fields("LastPingDateTime", "AutomatedSnapshotRetentionPeriod", "ItemCount")
    assert fields.spelt("when was the last ping") == {"lastpingdatetime"}
    assert not fields.spelt("last automated snapshot")  # RetentionPeriod frames no value
    assert not fields.spelt("item, count")  # never across punctuation
    # words ending in a kind the request names an object of ("init container migrate")
    assert fields.spelt("item count x", named={stem("count")}) == set()
    # "last" is the field's "latest" (LatestDeliveryTime)
    assert _fields("LatestDeliveryTime").spelt("when was the last delivery") == {
        "latestdeliverytime"}


def test_a_kind_of_object_is_no_field() -> None:
    """LogGroupName names log groups by name, and "log group" runs in operation names."""
    assert not _fields("LogGroupName", "LogGroupClass").spelt("log group sizes")


def test_counting_fields_by_the_noun_they_count() -> None:
    fields = _fields("ApproximateNumberOfMessages", "OpenShardCount", "MessageCount")
    assert fields.counting["message"] == {"approximatenumberofmessages", "messagecount"}
    assert fields.counted("how many messages") == fields.counting["message"]
    assert fields.counted("how many queues") == set()
    assert fields.counted("how many msgs", {"msgs": "messages"}) == fields.counting["message"]
    assert fields.counted("orders-dlq approx msg count", {"msg": "message"}) == fields.counting[
        "message"]  # "<noun> count"
    # Chinese: the noun after 多少条 / 几个, as the vocabulary spells it out
    assert fields.counted("orders-dlq 堆积多少条消息", {"消息": "messages"}) == fields.counting["message"]
    assert fields.counted("哪几个消息", {"消息": "messages"}) == set()  # which, not how many


def test_a_reply_field_spelt_out_in_words_is_asked_for() -> None:
    """"item count" asks for ItemCount, "last ping" for LastPingDateTime (what is left frames a
    value); not AutomatedSnapshotRetentionPeriod for "automated snapshot", nor a kind of object
    (LogGroupName), nor in an order."""
    rw = _rewriter("ItemCount", "LastPingDateTime", "AutomatedSnapshotRetentionPeriod",
                   "LogGroupName", "ListenerArn")
    assert rw.rewrite("item count of table sessions").fields == {"itemcount"}
    assert not rw.rewrite("rules of listener arn:aws:elasticloadbalancing:x").fields  # names one
    assert rw.rewrite("when was the agent's last ping").fields == {"lastpingdatetime"}
    assert not rw.rewrite("last automated snapshot of cluster x").fields
    assert not rw.rewrite("log group sizes").fields
    assert not rw.rewrite("delete the item count").fields
    # the vocabulary's English for a Chinese word spells it too (条目数: item count)
    assert rw.rewrite("查看表 sessions 的条目数").fields == {"itemcount"}


def test_how_many_asks_for_the_field_that_counts_the_noun() -> None:
    """"how many messages": a field that counts messages (ApproximateNumberOfMessages,
    MessageCount); "how many open shards": OpenShardCount; over a span of time it is a metric
    series instead, and none is found for a noun nothing counts."""
    rw = _rewriter("ApproximateNumberOfMessages", "OpenShardCount", "QueueArn")
    assert rw.rewrite("how many messages are in queue x").fields == {"approximatenumberofmessages"}
    assert rw.rewrite("kinesis x: how many open shards").fields == {"openshardcount"}
    assert not rw.rewrite("how many messages were deleted per minute in the last hour").fields
    assert not rw.rewrite("how many queues are there").fields
    assert rw.rewrite("kinesis 流 x 有几个 open shard").fields == {"openshardcount"}
    assert rw.rewrite("队列 x 里有多少条 messages").fields == {"approximatenumberofmessages"}
    assert not rw.rewrite("哪几个 messages 卡住了").fields  # which ones, no count


def test_a_short_form_spelt_out_by_the_index_names_a_field() -> None:
    """"is PITR enabled": the index spells PITR out (point in time recovery), and those words
    name DescribeContinuousBackups' PointInTimeRecoveryDescription."""
    names = ["PointInTimeRecoveryDescription"]
    by_pair, kinds = spelt_fields(names, {f: camel_words(f) for f in names})
    rw = QueryRewriter(field_words=by_pair, field_kinds=kinds,
                       initialisms={"pitr": "point in time recovery"})
    assert rw.rewrite("is PITR enabled on ddb table orders").fields == {
        "pointintimerecoverydescription"}
    assert not rw.rewrite("is TTL enabled on ddb table orders").fields


def test_a_count_in_the_examples_of_an_ask_is_not_asked_for() -> None:
    """"账户上限, 比如最多多少条消息": the limit is asked, the examples say which limits."""
    fields = _fields("ApproximateNumberOfMessages")
    assert fields.counted("账户上限，比如最多多少条消息", {"消息": "messages"}) == set()
    assert fields.counted("比如多少条消息", {"消息": "messages"}) == fields.counting["message"]
