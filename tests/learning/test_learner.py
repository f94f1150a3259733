"""Lessons change the next answer for similar requests, and nothing else: a correction ranks
the right operation first for a paraphrase, unrelated requests keep their ranking, a lesson
naming an operation no spec has is ignored, a write is never lifted for a read request, and a
retried search or a successful call teaches implicitly."""

from __future__ import annotations

import logging

import pytest

from mcp_sre.errors import NotFoundError, ValidationError
from mcp_sre.learning import learner_from_settings

# The small index ranks a metric-statistics operation first for this request; the user wanted
# the metric data operation.
ASKED = "get CPU numbers of my instances from CloudWatch over the last hour"
PARAPHRASE = "CloudWatch CPU numbers for the instances, last hour"
RIGHT = "aws/cloudwatch/GetMetricData"
UNRELATED = [("list all pods in namespace shop", "kubernetes"),
             ("which CloudWatch alarms are currently firing", "aws"),
             ("show the log groups", "aws")]


def _top(retriever, query: str, provider: str | None = "aws") -> str:
    return retriever.search(query, provider=provider, top_k=10)[0].id


def test_correction_teaches_similar_requests_only(retriever, learner) -> None:
    before = {q: _top(retriever, q, p) for q, p in UNRELATED}
    results = retriever.search(ASKED, provider="aws", top_k=10)
    assert results[0].id != RIGHT and results[0].ref and results[0].ref.startswith("s-")
    assert _top(retriever, PARAPHRASE) != RIGHT

    out = learner.feedback(results[0].ref, "wrong", correction=RIGHT)
    assert {(x["target"], x["weight"] > 0) for x in out["lessons"]} == {
        (RIGHT, True), (results[0].id, False)}
    learner.implicit = False
    assert _top(retriever, ASKED) == RIGHT
    assert _top(retriever, PARAPHRASE) == RIGHT
    assert {q: _top(retriever, q, p) for q, p in UNRELATED} == before


def test_unknown_ref_verdict_and_operation(retriever, learner, caplog) -> None:
    with pytest.raises(NotFoundError, match="unknown reference"):
        learner.feedback("s-000000000000", "wrong")
    ref = retriever.search(ASKED, provider="aws")[0].ref
    with pytest.raises(ValidationError, match="verdict"):
        learner.feedback(ref, "meh")
    with caplog.at_level(logging.WARNING, logger="mcp_sre.learning"):
        out = learner.feedback(ref, "wrong", correction="aws/ec2/NoSuchThing")
    assert "not an operation" in out["ignored"]
    assert "NoSuchThing" in caplog.text
    assert all(x.target != "aws/ec2/NoSuchThing" for x in learner.store.lessons())


def test_a_write_lesson_never_lifts_a_write_for_a_read_request(retriever, learner) -> None:
    ref = retriever.search("stop the instance i-123", provider="aws")[0].ref
    learner.feedback(ref, "wrong", correction="aws/ec2/TerminateInstances")
    learner.implicit = False
    for query in ("describe the instance i-123", "show instance i-123 details"):
        ids = [r.id for r in retriever.search(query, provider="aws", top_k=3)]
        assert "aws/ec2/TerminateInstances" not in ids
    assert _top(retriever, "stop the instance i-123 now") == "aws/ec2/TerminateInstances"


def test_implicit_feedback(retriever, learner) -> None:
    first = retriever.search(ASKED, provider="aws")
    retriever.search(ASKED + " please, per instance", provider="aws")  # a retry: weak negative
    lessons = learner.store.lessons("retrieval")
    assert [(x.target, x.weight) for x in lessons] == [(first[0].id, -0.3)]
    assert learner.record_calls([RIGHT]) >= 1  # the code then called GetMetricData
    assert any(x.target == RIGHT and x.weight > 0 for x in learner.store.lessons("retrieval"))


def test_switch_off(small_settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MCP_SRE_LEARNING", "0")
    assert learner_from_settings(small_settings) is None
    monkeypatch.setenv("MCP_SRE_LEARNING", "1")
    assert learner_from_settings(small_settings) is not None


def test_diagnosis_feedback_reweighs_its_root_rule(learner) -> None:
    ref = learner.record("diagnosis", "why does web crash?", {"signals": ["oom-killed"],
                                                              "root_cause": "memory limit"}, "d")
    assert ref.startswith("d-") and learner.evidence_weight("diagnosis", "oom-killed") == 1.0
    out = learner.feedback(ref, "wrong", correction="the liveness probe hits the wrong port")
    assert out["lessons"][0]["note"] == "the liveness probe hits the wrong port"
    learner.feedback(ref, "wrong")
    assert learner.evidence_weight("diagnosis", "oom-killed") == pytest.approx(0.6)
    assert learner.evidence_weight("diagnosis", "other-rule") == 1.0
    assert learner.evidence_weight("health", "oom-killed") == 1.0
