"""The LLM path through real seams: an OpenAI-compatible HTTP stand-in on 127.0.0.1 (scripted,
named as a stand-in), and the MCP client's sampling callback behind the diagnose tool."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp.types import CreateMessageResult, TextContent

from mcp_sre.agents.diagnosis import diagnose_report
from mcp_sre.agents.diagnosis.react import parse_action
from mcp_sre.llm.openai_compat import EndpointSettings, OpenAICompatLLM
from mcp_sre.server.sdk import connected_session

from .conftest import FIXTURES, cluster

if str(Path(__file__).resolve().parents[2]) not in sys.path:  # tests/ holds chat_endpoint
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from chat_endpoint import running_chat_server

CASE = FIXTURES / "diagnosis" / "fix-oomkilled"
TARGET = {"kind": "Deployment", "namespace": "webapp-backend", "name": "backend-api"}


def endpoint(url: str, timeout_s: float = 10.0) -> OpenAICompatLLM:
    return OpenAICompatLLM(EndpointSettings(base_url=url, model="stand-in", max_retries=0,
                                            timeout_s=timeout_s))


def scripted_stand_in(replies: list[str]):
    """A stand-in model: plays ``replies`` in order, then repeats the last one."""
    def answer(body: dict[str, Any]) -> str:
        return replies.pop(0) if len(replies) > 1 else replies[0]
    return answer


def test_loop_reads_more_and_writes_the_report(diagnoser, tmp_path: Path) -> None:
    read = json.dumps({"action": "read", "why": "memory limit of the deployment",
                       "operation": "kubernetes/apps_v1/listAppsV1NamespacedDeployment",
                       "params": {"namespace": "webapp-backend"}})
    final = json.dumps({"action": "final", "symptom": "backend-api restarts",
                        "direct_cause": "OOMKilled, exit 137",
                        "root_cause": "the api-server container uses more than its 128Mi limit",
                        "fix": ["raise limits.memory to 256Mi"], "prevention": ["alert"],
                        "confidence": 0.9, "evidence": ["E1"]})
    with cluster(CASE / "scenario.yaml", tmp_path) as context, \
            running_chat_server(scripted_stand_in(["thinking...", read, final])) as chat:
        diagnoser.context = context
        report = anyio.run(lambda: diagnose_report(diagnoser, "why does backend-api crash?",
                                                   TARGET, llm=endpoint(chat.url),
                                                   llm_label="stand-in"))
    assert report.reasoner == "llm: stand-in" and not report.note
    assert "128Mi" in report.root_cause and report.fix == ["raise limits.memory to 256Mi"]
    # the first answer was nonsense: corrected once; the read went through the bridge
    assert len(chat.requests) == 3
    assert "Signals:" in chat.requests[0]["messages"][1]["content"]
    assert any(s.action == "read" and "listAppsV1NamespacedDeployment" in s.detail
               for s in report.steps)
    last_prompt = chat.requests[2]["messages"][-1]["content"]
    assert "backend-api" in last_prompt  # the observation came back to the model


def test_timeout_and_nonsense_fall_back(diagnoser, tmp_path: Path) -> None:
    with cluster(CASE / "scenario.yaml", tmp_path) as context, \
            running_chat_server(scripted_stand_in(["I think it is fine."])) as chat:
        diagnoser.context = context
        nonsense = anyio.run(lambda: diagnose_report(diagnoser, "why?", TARGET,
                                                     llm=endpoint(chat.url)))
        chat.script.append((200, {}, None, 5.0))
        slow = anyio.run(lambda: diagnose_report(diagnoser, "why?", TARGET,
                                                 llm=endpoint(chat.url), llm_timeout_s=0.5))
    for report in (nonsense, slow):
        assert report.reasoner == "rules" and "OOMKilled" in report.root_cause
        assert report.note and any(s.action == "fallback" for s in report.steps)
    assert "JSON" in nonsense.note and "0.5 s" in slow.note


def test_a_write_asked_by_the_model_is_refused(diagnoser, tmp_path: Path) -> None:
    write = json.dumps({"action": "read", "operation":
                        "kubernetes/core_v1/deleteCoreV1NamespacedPod",
                        "params": {"namespace": "webapp-backend", "name": "x"}})
    final = json.dumps({"action": "final", "root_cause": "memory limit 128Mi too low"})
    with cluster(CASE / "scenario.yaml", tmp_path) as context, \
            running_chat_server(scripted_stand_in([write, final])) as chat:
        diagnoser.context = context
        report = anyio.run(lambda: diagnose_report(diagnoser, "why?", TARGET,
                                                   llm=endpoint(chat.url)))
    refused = [s for s in report.steps
               if s.action == "read" and "deleteCoreV1NamespacedPod" in s.detail]
    assert refused and refused[0].outcome == "forbidden"
    assert "read failed (forbidden)" in chat.requests[1]["messages"][-1]["content"]


def test_parse_action() -> None:
    assert parse_action('<think>x</think>```json\n{"action": "final", "root_cause": "a"}\n```')
    assert parse_action('{"action": "final", "root_cause": ""}') is None
    assert parse_action('{"action": "read"}') is None and parse_action("no") is None


def test_mcp_tool_with_sampling(tmp_path: Path, monkeypatch) -> None:
    """The real server (build_server, its catalog and sandbox) answers diagnose; the client's
    model is a scripted stand-in behind the real sampling protocol."""
    from mcp_sre.config import load_settings
    from mcp_sre.server import ServerState, build_server

    asked: list[Any] = []

    async def scripted_stand_in_llm(context: Any, params: Any) -> CreateMessageResult:
        """A scripted stand-in for the client's LLM, behind the real sampling protocol."""
        asked.append(params)
        text = json.dumps({"action": "final", "root_cause": "limit 128Mi is too low (OOM)"})
        return CreateMessageResult(role="assistant", model="stand-in",
                                   content=TextContent(type="text", text=text))

    progress: list[Any] = []

    async def go(server: Any) -> Any:
        async with connected_session(
                server, sampling_callback=scripted_stand_in_llm) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            assert tools["diagnose"].annotations and tools["diagnose"].annotations.read_only_hint

            async def on_progress(done: float, total: float | None, message: str | None) -> None:
                progress.append(message)

            plain = await client.call_tool("diagnose", {"question": "why?", "target": TARGET,
                                                        "use_llm": False})
            sampled = await client.call_tool("diagnose", {"question": "why?", "target": TARGET},
                                             progress_callback=on_progress)
            return plain, sampled

    with cluster(CASE / "scenario.yaml", tmp_path) as context:
        monkeypatch.setenv("KUBECONFIG", context["kubernetes"]["kubeconfig"])
        server = build_server(ServerState(load_settings(home=tmp_path / "home")))
        plain, sampled = anyio.run(go, server)
    for result in (plain, sampled):
        assert not result.is_error, result.content
    rules = plain.structured_content or json.loads(plain.content[0].text)
    assert rules["report"]["reasoner"] == "rules" and "OOMKilled" in rules["report"]["root_cause"]
    data = sampled.structured_content or json.loads(sampled.content[0].text)
    assert data["report"]["reasoner"].startswith("llm") and asked
    assert "128Mi" in data["report"]["root_cause"] and "# " in data["markdown"]
    assert progress  # progress notifications arrived
    metrics = server.observability.metrics  # each run is observed as an agent run
    assert metrics.registry.get_sample_value(
        "mcp_sre_agent_runs_total", {"agent": "diagnosis", "outcome": "problem_found"}) == 2


@pytest.mark.slow
def test_the_model_may_run_read_only_code(diag_pm, k8s_lookup, module_dir, tmp_path: Path
                                          ) -> None:
    """A code action runs in the real wasm sandbox, against the same cluster, read-only."""
    from mcp_sre.agents.diagnosis import Diagnoser
    from mcp_sre.config import load_settings
    from mcp_sre.sandbox import Sandbox

    code = json.dumps({"action": "code", "why": "limits of every pod", "code": (
        "import sre\n"
        "pods = sre.call('kubernetes/core_v1/listCoreV1NamespacedPod', "
        "namespace='webapp-backend')\n"
        "for p in pods['items']:\n"
        "    c = p['spec']['containers'][0]\n"
        "    print(p['metadata']['name'], c.get('resources', {}).get('limits'))\n")})
    final = json.dumps({"action": "final", "root_cause": "api-server needs more than 128Mi"})
    with cluster(CASE / "scenario.yaml", tmp_path) as context, \
            running_chat_server(scripted_stand_in([code, final])) as chat:
        box = Sandbox(settings=load_settings(home=tmp_path / "home"), pm=diag_pm,
                      operation_lookup=k8s_lookup, context=context, module_dir=module_dir)
        box.warm()  # compile the interpreter outside the run's time limit
        agent = Diagnoser(box, context=context)
        report = anyio.run(lambda: diagnose_report(agent, "why?", TARGET,
                                                   llm=endpoint(chat.url, timeout_s=60)))
    ran = [s for s in report.steps if s.action == "code"]
    assert ran and ran[0].outcome == "ok", chat.requests[1]["messages"][-1]["content"]
    observation = chat.requests[1]["messages"][-1]["content"]
    assert "backend-api" in observation and "128Mi" in observation
    assert any(e.object == "sandbox code" and "listCoreV1NamespacedPod" in e.operation
               for e in report.evidence)
