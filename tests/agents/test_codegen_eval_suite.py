"""The codegen suite of ``mcp-sre eval all`` with a model: an OpenAI-compatible stand-in
server (started here, on 127.0.0.1) writes code with a made-up parameter first and the fix
after the sandbox's observation; the real sandbox runs it against moto. The suite reports
first-pass and within-3 success, rounds, tokens, and which error the feedback fixed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

if str(Path(__file__).parent) not in sys.path:  # the shared scripted pieces
    sys.path.insert(0, str(Path(__file__).parent))
from chat_endpoint import running_chat_server
from stand_in import RIGHT_CODE, WRONG_CODE, reply

from mcp_sre.agents.codegen import CodeGenerator
from mcp_sre.agents.context import retrieval_finder
from mcp_sre.evaluation import EvalContext
from mcp_sre.evaluation.codegen import codegen_suite
from mcp_sre.evaluation.suites import run_suite

pytestmark = pytest.mark.usefixtures("cpu_fleet")

TASK = {"id": "ec2-high-cpu", "request": "EC2 instances with CPU above 80%",
        "providers": ["aws"], "expect_any": ["aws/cloudwatch/GetMetricStatistics"]}


def stand_in(body: dict[str, Any]) -> str:
    """Security reviews pass; the first write has a made-up parameter, the fix follows an
    observation."""
    if "security reviewer" in body["messages"][0]["content"]:
        return "VERDICT: SAFE"
    fed_back = any("OBSERVATION" in m["content"] for m in body["messages"][1:])
    return reply(RIGHT_CODE if fed_back else WRONG_CODE)


def test_codegen_suite_with_a_model(agents_sandbox: Any, agents_catalog: Any,
                                    agents_retriever: Any, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    tasks = tmp_path / "codegen_tasks.jsonl"
    tasks.write_text(json.dumps(TASK) + "\n")
    finder = retrieval_finder(agents_retriever, agents_catalog.get)
    ctx = EvalContext(bench_dir=tmp_path, codegen_factory=lambda: (finder, lambda llm: (
        CodeGenerator(llm, agents_sandbox, finder, lookup=agents_catalog.get, max_rounds=3))))
    with running_chat_server(stand_in) as server:
        monkeypatch.setenv("MCP_SRE_LLM_BASE_URL", server.url)
        monkeypatch.setenv("MCP_SRE_LLM_MODEL", "stand-in")
        result = run_suite(codegen_suite(tasks), ctx)
    assert result.status == "ok" and not result.reason, result.reason
    got = {m.name: m.value for m in result.metrics}
    assert got["pack_recall"] == 1.0
    assert got["first_pass"] == 0.0 and got["within_3"] == 1.0
    assert got["rounds_per_task"] == 2 and got["tokens_per_task"] > 0
    assert got["unsafe_accepted"] == 0
    [(fix, count)] = result.details["fixes"].items()
    assert fix.startswith("validation_error -> fixed by:") and count == 1
