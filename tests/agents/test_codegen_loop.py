"""The loop's failure paths, driven through the LLM seam directly (a scripted stand-in model),
with the real sandbox, moto, and the real botocore specs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

if str(Path(__file__).parent) not in sys.path:  # the shared scripted pieces
    sys.path.insert(0, str(Path(__file__).parent))
from stand_in import RIGHT_CODE, TEST, ScriptedStandInModel, reply

from mcp_sre.agents.codegen import CodeGenerator
from mcp_sre.agents.context import retrieval_finder
from mcp_sre.errors import ValidationError
from mcp_sre.llm.openai_compat import LLMEndpointError

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cpu_fleet")]

TERMINATE = '''\
import sre


def main(max_cpu: float = 5.0) -> list:
    """Terminate idle instances."""
    ids = []
    for reservation in sre.call("aws/ec2/DescribeInstances").get("Reservations", []):
        ids += [i["InstanceId"] for i in reservation.get("Instances", [])]
    sre.call("aws/ec2/TerminateInstances", InstanceIds=ids)
    return ids
'''
# The same write with the operation id built at run time: the static review can only warn,
# so the sandbox policy is what stops it.
SNEAKY = TERMINATE.replace('sre.call("aws/ec2/TerminateInstances"',
                           'sre.call("aws/ec2/" + "Terminate" + "Instances"')
TERMINATE_TEST = "def test_runs():\n    assert isinstance(main(), list)\n"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def generator(model: Any, sandbox: Any, catalog: Any, retriever: Any, **kw: Any
              ) -> CodeGenerator:
    return CodeGenerator(model, sandbox, retrieval_finder(retriever, catalog.get),
                         lookup=catalog.get, **kw)


async def test_write_code_is_refused_statically_then_at_run_time(
        agents_sandbox: Any, agents_catalog: Any, agents_retriever: Any,
        cpu_fleet: dict[str, str]) -> None:
    model = ScriptedStandInModel([reply(TERMINATE, TERMINATE_TEST),
                                  reply(SNEAKY, TERMINATE_TEST)])
    result = await generator(model, agents_sandbox, agents_catalog, agents_retriever,
                             max_rounds=2).generate("terminate idle instances", ["aws"])
    first, second = result.rounds
    assert first.run is None and not first.checks.passed
    assert any("[write_call]" in e and "TerminateInstances" in e for e in first.checks.errors)
    assert "nothing ran" in first.observation and "read-only" in first.observation
    assert second.checks.passed  # a computed id only warns ...
    assert any("dynamic_operation" in w for w in second.checks.warnings)
    assert second.run.error.type == "policy_denied"  # ... and the policy refuses the call
    assert "sandbox is read-only" in second.observation
    assert result.status == "failed" and "round 2: policy_denied" in result.failure
    ec2 = boto3.client("ec2", region_name="us-east-1")
    states = {i["InstanceId"]: i["State"]["Name"]
              for r in ec2.describe_instances(InstanceIds=list(cpu_fleet.values()))[
                  "Reservations"] for i in r["Instances"]}
    assert set(states.values()) == {"running"}, "an instance was terminated"
    assert result.input_tokens == 200 and result.output_tokens == 100


async def test_unreachable_model_and_unusable_replies_end_in_a_report(
        agents_sandbox: Any, agents_catalog: Any, agents_retriever: Any) -> None:
    model = ScriptedStandInModel(["I would rather not write code today.",
                                  LLMEndpointError("LLM endpoint http://x failed 5 time(s)")])
    result = await generator(model, agents_sandbox, agents_catalog, agents_retriever
                             ).generate("EC2 instances with CPU above 80%", ["aws"])
    assert [r.round for r in result.rounds] == [1, 2]
    assert result.rounds[0].reply_problem and "no code block" in result.rounds[0].observation
    assert result.status == "failed" and not result.ok
    assert result.failure.startswith("stopped in round 2: MODEL UNAVAILABLE")
    assert "failed 5 time(s)" in result.failure
    # round 2 was asked with round 1's raw reply and the reason it was unusable
    assert model.prompts[1][-2].content == "I would rather not write code today."
    assert "could not be used" in model.prompts[1][-1].content


async def test_passing_result_carries_sample_and_schema(
        agents_sandbox: Any, agents_catalog: Any, agents_retriever: Any,
        cpu_fleet: dict[str, str]) -> None:
    model = ScriptedStandInModel([reply(RIGHT_CODE, TEST)])
    seen: list[str] = []

    async def progress(done: float, total: float, message: str) -> None:
        seen.append(f"{done:g}/{total:g} {message}")

    result = await generator(model, agents_sandbox, agents_catalog, agents_retriever,
                             llm_review=False).generate(
        "EC2 instances with CPU above 80%", ["aws"], progress=progress)
    assert result.ok and result.first_round_ok and result.review.llm_verdict == "skipped"
    assert {item["instance_id"] for item in result.sample} == {cpu_fleet["hot-a"],
                                                               cpu_fleet["hot-b"]}
    assert result.parameters["properties"]["minutes"] == {"type": "integer", "default": 60}
    assert seen == ["0/4 retrieving operations", "1/4 round 1/3: passed",
                    "3.5/4 security review", "4/4 success"]
    assert "aws/ec2/DescribeInstances" in result.operations


async def test_bad_arguments_are_typed_errors(agents_sandbox: Any, agents_catalog: Any,
                                              agents_retriever: Any) -> None:
    with pytest.raises(ValidationError, match="request is empty"):
        await generator(ScriptedStandInModel([]), agents_sandbox, agents_catalog,
                        agents_retriever).generate("   ")
    with pytest.raises(ValidationError, match="max_rounds"):
        generator(ScriptedStandInModel([]), agents_sandbox, agents_catalog, agents_retriever,
                  max_rounds=0)
