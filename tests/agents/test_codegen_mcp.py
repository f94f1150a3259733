"""The CodeGenerator end to end through a real MCP client session: the client's "LLM" is a
scripted stand-in behind the real sampling protocol; the code runs in the real sandbox against
moto in server mode; operations come from the real botocore specs via the real retriever."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from mcp_sre.server.sdk import connected_session

if str(Path(__file__).parent) not in sys.path:  # the shared scripted pieces
    sys.path.insert(0, str(Path(__file__).parent))
from stand_in import RIGHT_CODE, TEST, WRONG_CODE, ScriptedStandInLLM, reply

from mcp_sre.server import ServerState, SreMCP, build_server
from mcp_sre.server.codegen_tools import register_codegen_tools
from mcp_sre.toolcode.harness import build_tool_program

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cpu_fleet")]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # the sandbox's worker threads need anyio's asyncio backend here

@pytest.fixture
def server(agents_settings: Any, agents_catalog: Any, agents_sandbox: Any,
           agents_retriever: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> SreMCP:
    for var in ("MCP_SRE_LLM_BASE_URL", "MCP_SRE_LLM_MODEL", "MCP_SRE_LLM_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    settings = agents_settings.model_copy(update={"registry_dir": tmp_path / "registry"})
    state = ServerState(settings, agents_catalog)
    state.sandbox = agents_sandbox  # the shared, warmed sandbox and index of this session
    state.retriever = agents_retriever
    server = build_server(state)
    if not server.has_builtin_tool("generate_tool"):  # until build_server does it
        register_codegen_tools(server, state)
    return server


def _last_text(params: Any) -> str:
    return params.messages[-1].content.text


async def test_wrong_parameter_is_fixed_from_the_observation(
        server: SreMCP, cpu_fleet: dict[str, str], agents_sandbox: Any) -> None:
    scripted_stand_in_llm = ScriptedStandInLLM([reply(WRONG_CODE), reply(RIGHT_CODE)])
    updates: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        updates.append((progress, total, message))

    async with connected_session(
            server, sampling_callback=scripted_stand_in_llm) as client:
        answer = await client.call_tool(
            "generate_tool", {"request": "列出CPU使用率超过80%的EC2实例", "providers": ["aws"]},
            progress_callback=on_progress)
        assert not answer.is_error, answer.content
        result = answer.structured_content
        assert result["mode"] == "generated" and "sampling" in result["llm"]

        # round 1: the bridge refused the made-up parameter and listed the valid ones
        first, second = result["rounds"]
        assert first["run"]["error"]["type"] == "validation_error"
        assert "InstanceStates" in first["observation"]
        assert "valid parameters" in first["observation"] and "Filters" in first["observation"]
        # ... and exactly that observation reached the model in round 2
        round2_prompt = _last_text(scripted_stand_in_llm.asked[1])
        assert round2_prompt.startswith("OBSERVATION (round 1)")
        assert "valid parameters" in round2_prompt and "Filters" in round2_prompt
        # round 1's prompt carried the retrieved operations, templates, rules and contract
        round1 = _last_text(scripted_stand_in_llm.asked[0])
        assert "aws/ec2/DescribeInstances" in round1 and "TECHNIQUES" in round1
        assert "def main(" in scripted_stand_in_llm.asked[0].systemPrompt

        assert second["ok"] and result["status"] == "success" and result["ok"]
        assert result["code"] == RIGHT_CODE and result["test"] == TEST
        assert result["name"] == "ec2_instances_high_cpu"
        assert result["parameters"]["properties"]["threshold"] == {"type": "number",
                                                                   "default": 80.0}
        assert set(result["called"]) == {"aws/ec2/DescribeInstances",
                                         "aws/cloudwatch/GetMetricStatistics"}
        assert result["review"]["passed"] and result["review"]["llm_verdict"] == "safe"
        assert len(scripted_stand_in_llm.reviews) == 1
        for record in result["rounds"]:
            assert record["prompt_chars"] > 1000 and record["duration_ms"] > 0
            assert record["code"] and record["checks"]["passed"]
        assert result["rounds"][1]["prompt_messages"] == 4  # system, user, reply, observation

        messages = [m for _, _, m in updates]
        assert "round 1/3: validation_error" in messages
        assert "round 2/3: passed" in messages and messages[-1] == "success"

        # the final code, run as a tool: instances above 80 % are returned, the others not
        run = await client.call_tool("run_code", {
            "code": RIGHT_CODE + "\nsre.result(main(threshold=80.0))\n", "providers": ["aws"]})
        assert not run.is_error and run.structured_content["ok"], run.structured_content
        ids = {item["instance_id"] for item in run.structured_content["result"]}
        assert ids == {cpu_fleet["hot-a"], cpu_fleet["hot-b"]}

        # success registered the code as a tool, through register_tool (same checks + test)
        assert result["registration"]["registered"], result["registration"]
        assert result["registration"]["name"] == "ec2_instances_high_cpu"
        tools = {t.name for t in (await client.list_tools()).tools}
        assert "ec2_instances_high_cpu" in tools
        called = await client.call_tool("ec2_instances_high_cpu", {"threshold": 80.0})
        assert not called.is_error, called.content
        assert {i["instance_id"] for i in json.loads(called.content[0].text)} == ids
        # asked again, the registered tool is reused: no model call, no sandbox run
        again = await client.call_tool("generate_tool", {
            "request": "列出CPU使用率超过80%的EC2实例", "providers": ["aws"]})
        assert again.structured_content["mode"] == "reused"
        assert again.structured_content["tool"]["name"] == "ec2_instances_high_cpu"
        assert len(scripted_stand_in_llm.asked) == 2
    # the same through the registry's tool program with the caller's inputs
    as_tool = agents_sandbox.run(build_tool_program(RIGHT_CODE), providers=["aws"],
                                 inputs={"threshold": 50})
    assert as_tool.ok and [i["cpu"] for i in as_tool.result] == [91.0, 85.5, 80.0]


async def test_three_failing_rounds_end_in_a_failure_report(server: SreMCP) -> None:
    scripted_stand_in_llm = ScriptedStandInLLM([reply(WRONG_CODE)] * 3)
    async with connected_session(
            server, sampling_callback=scripted_stand_in_llm) as client:
        answer = await client.call_tool("generate_tool", {
            "request": "EC2 instances with CPU above 80%", "providers": ["aws"]})
    assert not answer.is_error, answer.content
    result = answer.structured_content
    assert result["status"] == "failed" and not result["ok"]
    assert len(result["rounds"]) == 3 and not any(r["ok"] for r in result["rounds"])
    assert result["failure"].startswith("no passing code after 3 round(s)")
    assert "round 3: validation_error" in result["failure"]
    assert "valid parameters" in result["failure"]
    assert result["review"] is None and not scripted_stand_in_llm.reviews
    assert len(scripted_stand_in_llm.asked) == 3


async def test_static_refusal_then_unsafe_verdict(server: SreMCP) -> None:
    escape = RIGHT_CODE.replace("import sre\n", "import sre\nimport subprocess\n")
    scripted_stand_in_llm = ScriptedStandInLLM(
        [reply(escape), reply(RIGHT_CODE)],
        verdict="VERDICT: UNSAFE\n- does more than its description says")
    async with connected_session(
            server, sampling_callback=scripted_stand_in_llm) as client:
        answer = await client.call_tool("generate_tool", {
            "request": "EC2 instances with CPU above 80%", "providers": ["aws"]})
    result = answer.structured_content
    first = result["rounds"][0]
    assert first["run"] is None and not first["checks"]["passed"]
    assert "subprocess" in first["observation"] and "nothing ran" in first["observation"]
    assert result["rounds"][1]["ok"]
    assert result["status"] == "rejected" and not result["ok"]
    assert "does more than its description says" in result["failure"]


async def test_without_a_model_the_answer_is_a_context_pack(server: SreMCP) -> None:
    async with connected_session(server) as client:  # no sampling
        answer = await client.call_tool("generate_tool", {
            "request": "EC2 instances with CPU above 80%", "providers": ["aws"]})
    assert not answer.is_error, answer.content
    pack = answer.structured_content
    assert pack["mode"] == "context_pack" and "does not offer sampling" in pack["reason"]
    ids = [op["id"] for op in pack["operations"]]
    assert "aws/ec2/DescribeInstances" in ids
    assert all(i.startswith(("aws/ec2/", "aws/cloudwatch/")) for i in ids)
    assert pack["function_signature"].startswith("def main(")
    assert {t["name"] for t in pack["templates"]} >= {"pagination", "retry_backoff",
                                                      "batching", "time_windows"}
    assert "register_tool" in pack["prompt"] and "sre.call" in pack["prompt"]
    assert "Filters" in next(op["details"] for op in pack["operations"]
                             if op["id"] == "aws/ec2/DescribeInstances")
