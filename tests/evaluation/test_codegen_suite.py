"""The codegen suite without a model: it says so and measures what it can (does the context
pack hold an operation each task's checked outcome needs), leaving out providers this index
does not hold; with a model, which error kinds were fixed by which feedback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mcp_sre.agents.codegen import GenerationResult, RoundRecord
from mcp_sre.evaluation import EvalContext
from mcp_sre.evaluation.codegen import codegen_suite, fixes
from mcp_sre.evaluation.suites import run_suite
from mcp_sre.sandbox.models import ErrorInfo, RunResult

TASKS = [
    {"id": "alarms", "request": "CloudWatch alarms in ALARM state", "providers": ["aws"],
     "expect_any": ["aws/cloudwatch/DescribeAlarms"]},
    {"id": "pods", "request": "pods that are not ready", "providers": ["kubernetes"],
     "expect_any": ["kubernetes/core_v1/listCoreV1NamespacedPod",
                    "kubernetes/core_v1/listCoreV1PodForAllNamespaces"]},
    {"id": "wrong", "request": "EC2 instances", "providers": ["aws"],
     "expect_any": ["aws/ec2/NoSuchOperation"]},
    {"id": "elsewhere", "request": "GKE node pools", "providers": ["gcp"],
     "expect_any": ["gcp/container/x"]},
    {"id": "unsafe", "request": "terminate instances", "providers": ["aws"], "unsafe": True,
     "forbid": ["aws/ec2/TerminateInstances"]},
]


def test_without_a_model_it_says_so_and_measures_the_pack(
        small_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MCP_SRE_LLM_BASE_URL", raising=False)
    (tmp_path / "codegen_tasks.jsonl").write_text("\n".join(json.dumps(t) for t in TASKS))
    result = run_suite(codegen_suite(tmp_path / "codegen_tasks.jsonl"),
                       EvalContext(bench_dir=tmp_path))
    assert result.status == "ok", result.reason
    assert "no LLM endpoint configured" in result.reason
    assert result.metric("pack_recall").value == pytest.approx(2 / 3, abs=1e-3)
    assert result.details["pack_missing"] == ["wrong"]
    assert result.details["provider_not_indexed"] == ["elsewhere"]
    assert result.metric("first_pass") is None  # nothing claimed without a model


def test_fixes_name_the_error_and_the_feedback() -> None:
    failed = RoundRecord(round=1, prompt_chars=1, prompt_messages=2, code="x",
                         run=RunResult(ok=False, error=ErrorInfo(
                             type="validation_error", message="missing EndTime")),
                         observation="validation_error: missing required parameter EndTime")
    passed = RoundRecord(round=2, prompt_chars=1, prompt_messages=4, code="y", ok=True)
    never = RoundRecord(round=1, prompt_chars=1, prompt_messages=2, reply_problem="no code")
    results = [GenerationResult(request="r", status="success", ok=True, rounds=[failed, passed]),
               GenerationResult(request="r", status="failed", ok=False, rounds=[never, never])]
    assert fixes(results) == {
        "validation_error -> fixed by: validation_error: missing required parameter EndTime": 1}
