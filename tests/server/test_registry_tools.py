"""Registered tools as MCP tools, through real MCP client sessions (in memory and over stdio):
register -> list_changed -> call; find, rollback, deprecation and outside changes."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import ToolListChangedNotification

from mcp_sre.config import Settings
from mcp_sre.registry import ToolRegistry
from mcp_sre.sandbox import Sandbox
from mcp_sre.server import ServerState, SreMCP, build_server
from mcp_sre.server.sdk import connected_session

pytestmark = pytest.mark.anyio

FLAKY = ("def main(fail: bool = False) -> dict:\n    if fail:\n"
         "        raise RuntimeError('upstream said no')\n    return {'ok': True}\n")
FLAKY_PARAMS = {"type": "object", "properties": {"fail": {"type": "boolean"}}}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def state(reg_settings: Settings, sandbox: Sandbox) -> ServerState:
    state = ServerState(reg_settings)
    state.__dict__["sandbox"] = sandbox  # share the session's warm sandbox (cached_property)
    return state


class Changes:
    """Counts list_changed notifications the client receives."""

    def __init__(self) -> None:
        self.count = 0

    async def __call__(self, message: Any) -> None:
        if isinstance(getattr(message, "root", None), ToolListChangedNotification):
            self.count += 1

    async def wait_above(self, before: int) -> None:
        with anyio.fail_after(5):
            while self.count <= before:
                await anyio.sleep(0.02)


def _json(result: Any) -> Any:
    assert not result.is_error, result.content
    if result.structured_content is not None:
        return result.structured_content
    return json.loads(result.content[0].text)


async def test_register_notifies_and_the_new_tool_runs(state: ServerState,
                                                      word_count: dict) -> None:
    server = build_server(state)
    changes = Changes()
    async with connected_session(server,
                                                          message_handler=changes) as c:
        names = {t.name for t in (await c.list_tools()).tools}
        assert {"register_tool", "find_tool", "list_registered_tools", "rollback_tool"} <= names
        assert "word_count" not in names

        before = changes.count
        out = _json(await c.call_tool("register_tool", {**word_count,
                                                        "request": "count words in a text"}))
        assert out["name"] == "word_count" and out["version"] == 1
        assert out["test"]["tests"] == ["test_counts_words"]
        await changes.wait_above(before)

        tools = {t.name: t for t in (await c.list_tools()).tools}
        assert tools["word_count"].input_schema == word_count["parameters"]
        assert tools["word_count"].annotations.read_only_hint is True
        assert "Registered tool v1" in tools["word_count"].description
        result = await c.call_tool("word_count", {"text": "b a b", "top": 1})
        assert _json(result) == {"words": 3, "top": [{"word": "b", "count": 2}]}

        bad = await c.call_tool("word_count", {"text": "b", "top": 0})
        assert bad.is_error and "minimum of 1" in bad.content[0].text

        found = _json(await c.call_tool("find_tool", {"request": "count the words in a text"}))
        assert found["reuse"] == "word_count"
        listed = _json(await c.call_tool("list_registered_tools", {}))["result"]
        assert listed[0]["name"] == "word_count" and listed[0]["stats"]["calls"] == 1


async def test_refusal_is_a_tool_error_that_says_why(state: ServerState) -> None:
    server = build_server(state)
    async with connected_session(server) as c:
        result = await c.call_tool("register_tool", {
            "name": "find_tool", "description": "Shadows a built-in tool, and writes.",
            "code": "def main():\n    return sre.call('acme/disks/DeleteVolume', id='v')\n",
            "test": "main()\n", "parameters": {"type": "object", "properties": {}}})
        assert result.is_error
        text = result.content[0].text
        assert "RegistrationRefused" in text and "built-in tool" in text
        assert "[write_call] code line 2" in text
        assert "[unknown_operation] code line 2" in text and "unknown provider 'acme'" in text
        assert "find_tool" not in state.registry.store.names()


async def test_rollback_and_deprecation_change_the_tool_list(state: ServerState,
                                                             word_count: dict) -> None:
    state.registry.min_calls = 2
    server = build_server(state)
    changes = Changes()
    async with connected_session(server,
                                                          message_handler=changes) as c:
        await c.list_tools()
        _json(await c.call_tool("register_tool", word_count))
        v2 = {**word_count, "description": word_count["description"] + " Second version."}
        assert _json(await c.call_tool("register_tool", v2))["version"] == 2
        tools = {t.name: t for t in (await c.list_tools()).tools}
        assert "Second version" in tools["word_count"].description

        before = changes.count
        out = _json(await c.call_tool("rollback_tool", {"name": "word_count"}))
        assert out["active_version"] == 1 and out["versions"] == [1, 2]
        await changes.wait_above(before)
        tools = {t.name: t for t in (await c.list_tools()).tools}
        assert "Second version" not in tools["word_count"].description

        _json(await c.call_tool("register_tool", {
            "name": "flaky_tool", "description": "Fails when asked to, to be deprecated.",
            "code": FLAKY, "test": "assert main()['ok']\n", "parameters": FLAKY_PARAMS}))
        before = changes.count
        for _ in range(2):
            failed = await c.call_tool("flaky_tool", {"fail": True})
            assert failed.is_error and "upstream said no" in failed.content[0].text
        await changes.wait_above(before)
        names = {t.name for t in (await c.list_tools()).tools}
        assert "flaky_tool" not in names and "word_count" in names
        assert state.registry.store.head("flaky_tool").status == "deprecated"


async def test_tools_on_disk_at_start_and_from_other_processes(
        state: ServerState, reg_settings: Settings, sandbox: Sandbox, word_count: dict) -> None:
    other = ToolRegistry(reg_settings, sandbox=sandbox)  # e.g. the CLI, another server
    other.register(**word_count)
    server: SreMCP = build_server(state)
    assert "word_count" in server.dynamic_tools()  # exposed at start
    changes = Changes()
    async with connected_session(server,
                                                          message_handler=changes) as c:
        await c.list_tools()
        other.register("flaky_tool", "Registered by another process meanwhile.", FLAKY,
                       "assert main()['ok']\n", FLAKY_PARAMS)
        other.remove("word_count")
        before = changes.count
        _json(await c.call_tool("list_registered_tools", {}))  # any registry tool re-syncs
        await changes.wait_above(before)
        names = {t.name for t in (await c.list_tools()).tools}
        assert "flaky_tool" in names and "word_count" not in names


async def test_register_and_call_over_stdio(home: Path, tmp_path: Path, module_dir: Path,
                                            sandbox: Sandbox, word_count: dict) -> None:
    """The whole path through a real `mcp-sre serve` subprocess (``sandbox`` guarantees the
    compiled interpreter is in ``module_dir``)."""
    (home / "sandbox").mkdir(exist_ok=True)
    for compiled in module_dir.glob("*.cwasm"):  # skip compiling the interpreter again
        (home / "sandbox" / compiled.name).symlink_to(compiled)
    env = {**os.environ, "MCP_SRE_HOME": str(home),
           "MCP_SRE_REGISTRY_DIR": str(tmp_path / "stdio_registry")}
    params = StdioServerParameters(command=sys.executable, args=["-m", "mcp_sre", "serve"],
                                   env=env)
    changes = Changes()
    async with stdio_client(params) as (read, write), \
            ClientSession(read, write, message_handler=changes) as s:
        await s.initialize()
        assert "word_count" not in {t.name for t in (await s.list_tools()).tools}
        before = changes.count
        out = _json(await s.call_tool("register_tool", word_count))
        assert out["version"] == 1
        await changes.wait_above(before)
        assert "word_count" in {t.name for t in (await s.list_tools()).tools}
        assert _json(await s.call_tool("word_count", {"text": "x x y"}))["words"] == 3
    assert (tmp_path / "stdio_registry" / "word_count" / "v1" / "tool.py").is_file()


async def test_registered_tools_answer_with_structured_content(state: ServerState,
                                                               word_count: dict) -> None:
    """Issue 20 item 12: registered tools returned JSON text, starter tools structured
    content; an object result is structured content whether or not a schema was declared."""
    state.registry.register(**word_count)  # no ``returns`` schema
    async with connected_session(build_server(state)) as c:
        answer = await c.call_tool("word_count", {"text": "a b a"})
    assert not answer.isError
    assert answer.structuredContent == {"words": 3, "top": [{"word": "a", "count": 2},
                                                           {"word": "b", "count": 1}]}
