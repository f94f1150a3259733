"""The feedback tool through the real MCP client (in-memory session): search_apis results
carry a ref, feedback on it teaches the next search, unknown refs are clear tool errors, and
the CLI shows, exports, imports and removes what was learned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mcp_sre.cli import main
from mcp_sre.server import ServerState, build_server
from mcp_sre.server.sdk import connected_session

pytestmark = pytest.mark.anyio

ASKED = "get CPU numbers of my instances from CloudWatch over the last hour"
RIGHT = "aws/cloudwatch/GetMetricData"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_feedback_over_mcp(small_settings) -> None:
    server = build_server(ServerState(small_settings))
    async with connected_session(server) as client:
        found = await client.call_tool("search_apis", {"query": ASKED, "provider": "aws"})
        hits = found.structuredContent["result"]
        ref = hits[0]["ref"]
        assert ref.startswith("s-") and hits[0]["id"] != RIGHT

        bad = await client.call_tool("feedback", {"ref": "s-nothere", "verdict": "wrong"})
        assert bad.isError and "unknown reference" in bad.content[0].text

        out = await client.call_tool("feedback", {"ref": ref, "verdict": "wrong",
                                                  "correction": RIGHT})
        assert not out.isError, out.content
        assert RIGHT in {x["target"] for x in out.structuredContent["lessons"]}

        again = await client.call_tool("search_apis", {"query": "CloudWatch CPU numbers for "
                                                       "the instances, last hour",
                                                       "provider": "aws"})
        assert again.structuredContent["result"][0]["id"] == RIGHT


async def test_feedback_tool_when_learning_is_off(small_settings,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MCP_SRE_LEARNING", "0")
    server = build_server(ServerState(small_settings))
    async with connected_session(server) as client:
        found = await client.call_tool("search_apis", {"query": ASKED, "provider": "aws"})
        assert found.structuredContent["result"][0].get("ref") is None
        out = await client.call_tool("feedback", {"ref": "s-x", "verdict": "right"})
        assert out.isError and "learning is off" in out.content[0].text


def test_lessons_cli(small_settings, learner, tmp_path: Path) -> None:
    from mcp_sre.retrieval import Retriever

    retriever = Retriever(small_settings, embedder=None, learner=learner)
    ref = retriever.search(ASKED, provider="aws")[0].ref
    learner.store.close()
    run = CliRunner().invoke
    out = run(main, ["feedback", ref, "wrong", "--correction", RIGHT])
    assert out.exit_code == 0 and RIGHT in out.output
    assert "unknown reference" in run(main, ["feedback", "s-nope", "right"]).output
    listed = json.loads(run(main, ["lessons", "list", "--json"]).output)
    good = next(x for x in listed if x["target"] == RIGHT)
    assert json.loads(run(main, ["lessons", "show", str(good["id"])]).output)["request"] == ASKED
    export = tmp_path / "lessons.json"
    assert run(main, ["lessons", "export", str(export)]).exit_code == 0
    assert run(main, ["lessons", "rm", *[str(x["id"]) for x in listed]]).exit_code == 0
    assert "no lessons" in run(main, ["lessons", "list"]).output
    assert "imported 2" in run(main, ["lessons", "import", str(export)]).output
    assert run(main, ["lessons", "show", "999"]).exit_code == 1


async def test_find_tool_feedback_extends_the_tool_description(small_settings) -> None:
    settings = small_settings.model_copy(update={"tool_budget": None})  # list every tool
    server = build_server(ServerState(settings))
    async with connected_session(server) as client:
        found = await client.call_tool("find_tool", {"request": "pods that are not ready"})
        data = found.structuredContent
        tool = data["matches"][0]["name"]
        assert data["ref"].startswith("t-")
        before = {t.name: t.description for t in (await client.list_tools()).tools}[tool]
        assert "Answered before" not in before
        out = await client.call_tool("feedback", {"ref": data["ref"], "verdict": "right"})
        assert not out.isError, out.content
        after = {t.name: t.description for t in (await client.list_tools()).tools}[tool]
        assert "Answered before: 'pods that are not ready'" in after


async def test_run_code_carries_a_ref(small_settings) -> None:
    server = build_server(ServerState(small_settings))
    async with connected_session(server) as client:
        ran = await client.call_tool("run_code", {"code": "print(6 * 7)"})
        assert not ran.isError, ran.content
        data = ran.structuredContent
        assert data["ok"] and data["stdout"] == "42\n" and data["ref"].startswith("r-")
        out = await client.call_tool("feedback", {"ref": data["ref"], "verdict": "right"})
        assert not out.isError and out.structuredContent["kind"] == "run"


async def test_lessons_never_make_a_write_allowed(small_settings) -> None:
    """A person 'teaches' that stopping instances means TerminateInstances: search ranks it,
    but the sandbox still refuses the call (policy never reads lessons)."""
    server = build_server(ServerState(small_settings))
    write = "aws/ec2/TerminateInstances"
    async with connected_session(server) as client:
        found = await client.call_tool("search_apis", {"query": "terminate instance i-1",
                                                       "provider": "aws"})
        ref = found.structuredContent["result"][0]["ref"]
        await client.call_tool("feedback", {"ref": ref, "verdict": "wrong", "correction": write})
        again = await client.call_tool("search_apis", {"query": "terminate instance i-1 now",
                                                       "provider": "aws"})
        assert again.structuredContent["result"][0]["id"] == write
        ran = await client.call_tool("run_code", {"code": (
            "import sre\nsre.call('aws/ec2/TerminateInstances', InstanceIds=['i-1'])")})
        data = ran.structuredContent
        assert not data["ok"] and data["error"]["type"] == "policy_denied"
        assert data["calls"][0]["decision"] == "denied"
