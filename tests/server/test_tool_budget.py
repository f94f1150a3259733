"""The tool budget through a real in-memory MCP session: tools/list carries at most N
registered tools; the others are callable (call_tool, or by name) and get promoted into the
list with a list_changed notification; no budget lists them all."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest
from mcp.types import ToolListChangedNotification

from mcp_sre.config import Settings
from mcp_sre.sandbox import Sandbox
from mcp_sre.server import ServerState, build_server
from mcp_sre.server.sdk import connected_session

pytestmark = pytest.mark.anyio
NAMES = ("echo_alpha", "echo_bravo", "echo_charlie")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def make_state(settings: Settings, sandbox: Sandbox, budget: int | None) -> ServerState:
    state = ServerState(settings.model_copy(update={"tool_budget": budget}))
    state.__dict__["sandbox"] = sandbox  # share the session's warm sandbox (cached_property)
    return state


@pytest.fixture
def registered(reg_settings: Settings, sandbox: Sandbox) -> Settings:
    state = make_state(reg_settings, sandbox, None)
    for name in NAMES:
        word = name.split("_")[1]
        state.registry.register(
            name,
            f"Return the number given, tagged {word}, for budget tests.",
            f"def main(n: int = 1) -> dict:\n    return {{'tag': '{word}', 'n': n}}\n",
            f"assert main(n=2) == {{'tag': '{word}', 'n': 2}}\n",
            {"type": "object", "properties": {"n": {"type": "integer"}}},
        )
    return reg_settings


class Changes:
    def __init__(self) -> None:
        self.count = 0

    async def __call__(self, message: Any) -> None:
        if isinstance(getattr(message, "root", None), ToolListChangedNotification):
            self.count += 1

    async def wait_above(self, before: int) -> None:
        with anyio.fail_after(5):
            while self.count <= before:
                await anyio.sleep(0.02)


async def listed(client: Any) -> set[str]:
    return {t.name for t in (await client.list_tools()).tools} & set(NAMES)


@pytest.mark.slow
async def test_budget_lists_n_and_promotes_what_is_used(
    registered: Settings, sandbox: Sandbox
) -> None:
    state = make_state(registered, sandbox, 1)
    server = build_server(state)
    changes = Changes()
    async with connected_session(
        server, message_handler=changes
    ) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert "call_tool" in names and "find_tool" in names
        first = await listed(client)
        assert len(first) == 1
        hidden = sorted(set(NAMES) - first)

        found = await client.call_tool("find_tool", {"request": "number tagged", "limit": 5})
        flags = {m["name"]: m["listed"] for m in json.loads(found.content[0].text)["matches"]}
        assert {n for n, is_listed in flags.items() if is_listed} == first

        before = changes.count
        out = await client.call_tool("call_tool", {"name": hidden[0], "arguments": {"n": 7}})
        assert not out.is_error, out.content
        assert json.loads(out.content[0].text) == {"tag": hidden[0].split("_")[1], "n": 7}
        await changes.wait_above(before)
        assert await listed(client) == {hidden[0]}  # promoted; the budget still holds

        before = changes.count  # called by name although not listed: works, and promotes
        out = await client.call_tool(hidden[1], {"n": 3})
        assert not out.is_error and json.loads(out.content[0].text)["n"] == 3
        await changes.wait_above(before)
        assert await listed(client) == {hidden[1]}

        missing = await client.call_tool("call_tool", {"name": "no_such_tool"})
        assert missing.is_error and "no registered tool named" in missing.content[0].text
        builtin = await client.call_tool("call_tool", {"name": "find_tool"})
        assert builtin.is_error and "built-in" in builtin.content[0].text
    metrics = state.observability.metrics
    assert metrics is not None
    assert metrics.registry.get_sample_value("mcp_sre_tools_exposed") == 1


async def test_no_budget_lists_every_tool(registered: Settings, sandbox: Sandbox) -> None:
    server = build_server(make_state(registered, sandbox, None))
    async with connected_session(server) as client:
        assert await listed(client) == set(NAMES)
