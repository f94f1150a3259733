"""Code generation lessons: a failed round followed by a passing one leaves an error -> fix
note on the operations the code called, and the next context pack (and prompt) carries it."""

from __future__ import annotations

from mcp_sre.agents.codegen import GenerationResult, RoundRecord
from mcp_sre.agents.context_pack import build_context_pack
from mcp_sre.learning.codegen import learn_from_generation
from mcp_sre.sandbox.models import ErrorInfo, RunResult

OP = "aws/cloudwatch/GetMetricData"
BROKEN = "def main():\n    return sre.call('aws/cloudwatch/GetMetricData', StartTime=1)\n"
FIXED = ("def main():\n    return sre.call('aws/cloudwatch/GetMetricData', "
         "StartTime='2026-01-01T00:00:00Z', EndTime='2026-01-01T01:00:00Z', "
         "MetricDataQueries=[])\n")


def _generation() -> GenerationResult:
    failed = RoundRecord(round=1, prompt_chars=1, prompt_messages=2, code=BROKEN,
                         run=RunResult(ok=False, error=ErrorInfo(
                             type="validation_error",
                             message="GetMetricData: missing required parameter EndTime")),
                         observation="invalid_parameters: missing EndTime")
    passed = RoundRecord(round=2, prompt_chars=1, prompt_messages=4, code=FIXED, ok=True)
    return GenerationResult(request="CPU of my instances", status="success", ok=True,
                            rounds=[failed, passed], called=[OP])


def test_a_fixed_error_becomes_a_note_in_the_next_pack(retriever, learner) -> None:
    assert learn_from_generation(learner, _generation()) == 1
    notes = learner.notes_for([OP, "aws/ec2/DescribeInstances"])
    assert len(notes) == 1 and "missing required parameter EndTime" in notes[0]
    assert "EndTime=" in notes[0]  # the change that fixed it
    spec = retriever.catalog.get(OP)
    pack = build_context_pack("CPU of my instances", ["aws"], [spec], "no model", notes=notes)
    assert "LESSONS FROM EARLIER RUNS" in pack.prompt and "EndTime" in pack.prompt
    assert learner.notes_for(["aws/ec2/DescribeInstances"]) == []


def test_failed_generations_and_unknown_operations_teach_nothing(retriever, learner) -> None:
    failed = _generation().model_copy(update={"ok": False, "status": "failed"})
    assert learn_from_generation(learner, failed) == 0
    ghost = _generation().model_copy(update={"called": ["aws/cloudwatch/NoSuchOp"]})
    learn_from_generation(learner, ghost)
    assert learner.store.lessons("codegen") == []
