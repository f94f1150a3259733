"""The ReAct loop with a stand-in model behind a real seam: an OpenAI-compatible HTTP server on
127.0.0.1 (tests/chat_endpoint.py) that plays a scripted planner. It re-plans after an
observation that contradicts its plan; the plan that worked is saved as a playbook and the
next similar request runs from it without the model."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import anyio
import yaml

if str(Path(__file__).resolve().parents[2]) not in sys.path:  # tests/ holds chat_endpoint
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from chat_endpoint import running_chat_server

from mcp_sre.agents.manager import ManagerAgent, PlaybookLibrary
from mcp_sre.llm.openai_compat import EndpointSettings, OpenAICompatLLM

REQUEST = "which pods run the storefront?"


def planner(body: dict[str, Any]) -> str:
    """Stand-in model: first believes the storefront runs in namespace 'empty'; when the
    observation says no pods are there, it re-plans for namespace 'web'; then answers."""
    observed = [m["content"] for m in body["messages"] if m["role"] == "user"
                and m["content"].startswith("Observation")]
    if not observed:
        return json.dumps({"thought": "the storefront runs in namespace empty", "plan": [
            {"id": "s1", "agent": "pods", "inputs": {"namespace": "empty"}},
            {"id": "s2", "agent": "echo", "depends_on": ["s1"],
             "inputs": {"x": "{{s1.data.pods}}"}}]})
    if "0 pods in empty" in observed[-1]:
        return "```json\n" + json.dumps({
            "thought": "no pods in empty: that contradicts my plan; the storefront is in web",
            "plan": [{"id": "s3", "agent": "pods", "inputs": {"namespace": "web"}}]}) + "\n```"
    return json.dumps({"thought": "found them", "plan": [],
                       "final": "The storefront runs on web-pod-1 and web-pod-2."})


def test_replans_after_a_contradicting_observation_and_saves_the_plan(
        services: Any, tmp_path: Path, probe: Any) -> None:
    shipped = tmp_path / "books"
    shipped.mkdir()
    (shipped / "explore.yaml").write_text(yaml.safe_dump({
        "name": "explore", "description": "fallback", "fallback": True,
        "steps": [{"id": "answer", "agent": "answer", "inputs": {"steps": "{{steps}}"}}]}))
    library = PlaybookLibrary(tmp_path / "saved", shipped=shipped)
    manager = ManagerAgent(services, home=tmp_path, library=library)
    with running_chat_server(planner) as server:
        llm = OpenAICompatLLM(EndpointSettings(base_url=server.url, model="stand-in",
                                               max_retries=0))
        result = anyio.run(lambda: manager.investigate(REQUEST, llm=llm))
        calls_to_model = len(server.requests)
    assert result.status == "finished" and result.source == "llm"
    assert "web-pod-1" in result.answer
    assert [s.id for s in result.steps] == ["s1", "s3"]  # s2 was dropped by the re-plan
    assert [c for c in probe.calls if c[0] == "echo"] == []
    assert any("contradicts" in c and "s3:pods" in c for c in result.changes)
    record = manager.records.get(result.run_id)
    assert record.input_tokens > 0 and record.changes  # tokens and the change are recorded
    assert calls_to_model == 3

    saved = list((tmp_path / "saved").glob("*.yaml"))
    assert len(saved) == 1 and REQUEST in saved[0].read_text()
    probe.calls.clear()
    again = anyio.run(lambda: manager.investigate(REQUEST))  # no model at all now
    assert again.source == "saved" and again.status == "finished"
    assert ("pods", {"namespace": "web"}) in probe.calls
    assert "2 pods in web" in again.answer  # composed from the observations, no model


def test_a_model_that_talks_nonsense_ends_with_a_partial_answer(services: Any,
                                                                 tmp_path: Path) -> None:
    shipped = tmp_path / "books"
    shipped.mkdir()
    (shipped / "explore.yaml").write_text(yaml.safe_dump({
        "name": "explore", "description": "fallback", "fallback": True,
        "steps": [{"id": "answer", "agent": "answer", "inputs": {"steps": "{{steps}}"}}]}))
    manager = ManagerAgent(services, home=tmp_path, max_react_steps=3,
                           library=PlaybookLibrary(tmp_path / "saved", shipped=shipped))
    with running_chat_server(lambda body: "I think you should check the pods.") as server:
        llm = OpenAICompatLLM(EndpointSettings(base_url=server.url, model="stand-in",
                                               max_retries=0))
        result = anyio.run(lambda: manager.investigate(REQUEST, llm=llm))
        assert len(server.requests) == 3  # bounded by max_react_steps
    assert result.status == "failed" and "Nothing could answer" in result.answer
    assert not list((tmp_path / "saved").glob("*.yaml"))
