"""The built-in agents' helpers and the shipped playbooks."""

from __future__ import annotations

from typing import Any

import pytest

from mcp_sre.agents.manager import Entity, PlaybookLibrary
from mcp_sre.agents.manager.agents import load_agents
from mcp_sre.agents.manager.answer import compose_answer
from mcp_sre.agents.manager.builtin import entities_in, fill_arguments
from mcp_sre.errors import McpSreError
from mcp_sre.hookspecs import hookimpl
from mcp_sre.plugin_manager import make_plugin_manager

SCHEMA = {"type": "object", "properties": {
    "threshold": {"type": "number", "description": "CPU percent an instance must exceed"},
    "window_minutes": {"type": "integer", "description": "Look-back window in minutes"},
    "namespace": {"type": "string"}}}


@pytest.mark.parametrize("request_text, expected", [
    ("列出CPU>80%的EC2实例", {"threshold": 80.0}),
    ("instances above 92.5 percent CPU in namespace shop", {"threshold": 92.5,
                                                           "namespace": "shop"}),
    ("CPU超过90的服务器, web 命名空间", {"threshold": 90.0, "namespace": "web"}),
    ("list every instance", {}),
])
def test_arguments_come_from_the_request(request_text: str, expected: dict[str, Any]) -> None:
    assert fill_arguments(SCHEMA, request_text) == expected


def test_given_arguments_and_session_bindings_win() -> None:
    got = fill_arguments(SCHEMA, "CPU>80%", {"threshold": 50, "bogus": 1},
                         {"namespace": Entity(kind="namespace", value="prod")})
    assert got == {"threshold": 50, "namespace": "prod"}


def test_entities_from_tool_rows() -> None:
    rows = {"count": 2, "instances": [{"instance_id": "i-0123456789abcdef0", "cpu": 91},
                                      {"InstanceId": "i-0fedcba9876543210"}],
            "pods": [{"pod": "web-1", "namespace": "shop"}]}
    found = {(e.kind, e.value, e.namespace) for e in entities_in(rows)}
    assert {("instance", "i-0123456789abcdef0", ""), ("instance", "i-0fedcba9876543210", ""),
            ("pod", "web-1", "shop"), ("namespace", "shop", "")} <= found


def test_every_shipped_playbook_is_a_valid_plan_over_the_builtin_agents() -> None:
    agents = load_agents(make_plugin_manager(only=set()))
    assert {"search", "spec", "find_tool", "tool", "read", "codegen", "diagnose", "health",
            "ask_user", "answer"} <= set(agents)
    library = PlaybookLibrary(None)
    books = library.load()
    assert not library.errors and len([b for b in books if not b.fallback]) >= 5
    for book in books:
        book.plan().validate_against(agents)
        assert book.steps[-1].agent == "answer" and book.steps[-1].always


def test_playbooks_match_requests_like_tools_do() -> None:
    library = PlaybookLibrary(None)
    assert library.match("web-app Pod 一直 CrashLoopBackOff, 根因是什么?")[0].playbook.name == \
        "workload_root_cause"
    assert library.match("帮我分析电商平台业务的健康状况")[0].playbook.name == "business_health"
    names = [m.playbook.name for m in library.match("它的日志呢", {"pod"})]
    assert names and names[0] == "workload_logs"
    assert "workload_logs" not in [m.playbook.name for m in library.match("它的日志呢")]


def test_a_plugin_agent_cannot_take_a_builtin_name() -> None:
    class Clash:
        @hookimpl
        def register_agents(self, register: Any) -> None:
            register("answer", lambda task, ctx: None, "mine")

    with pytest.raises(McpSreError, match="two plugins"):
        load_agents(make_plugin_manager(only=set(), extra=[Clash()]))


def test_answer_lists_what_failed_and_what_was_not_done() -> None:
    steps = {"a": {"status": "ok", "summary": "2 pods", "evidence": ["e1"], "data": {"n": 2}},
             "b": {"status": "failed", "summary": "", "errors": ["boom"]},
             "c": {"status": "cancelled"}}
    text, findings = compose_answer("list pods", steps, ["a", "b", "c"])
    assert text.splitlines()[:2] == ["2 pods", "  - e1"]
    assert "Could not: b: boom" in text and "Not done: c" in text
    assert findings == [{"step": "a", "summary": "2 pods", "data": {"n": 2}}]
    zh, _ = compose_answer("列出", {"b": steps["b"]}, ["b"])
    assert zh.startswith("没有步骤能回答")
