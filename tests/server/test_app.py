"""Dynamic tools, list_changed, prompts and sampling through a real in-memory MCP session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp.types import CreateMessageResult, TextContent, ToolListChangedNotification

from mcp_sre.config import load_settings
from mcp_sre.llm import Message
from mcp_sre.llm.sampling import SamplingLLM
from mcp_sre.server import DynamicTool, ServerState, SreMCP, build_server
from mcp_sre.server.sdk import Context, connected_session

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def server(home: Path) -> SreMCP:
    return build_server(ServerState(load_settings(home=home)))


async def _double(args: dict[str, Any], ctx: Any) -> dict[str, Any]:
    return {"doubled": args["n"] * 2}


DOUBLE = DynamicTool(
    name="double_it", description="Double a number.",
    input_schema={"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"],
                  "additionalProperties": False},
    output_schema={"type": "object", "properties": {"doubled": {"type": "integer"}}},
    handler=_double,
)


async def test_dynamic_tool_appears_with_list_changed(server: SreMCP) -> None:
    seen: list[Any] = []

    async def on_message(message: Any) -> None:
        if isinstance(message, ToolListChangedNotification):
            seen.append(message)

    async with connected_session(server, message_handler=on_message) as c:
        init_caps = c.server_capabilities
        assert init_caps.tools and init_caps.tools.list_changed
        before = {t.name for t in (await c.list_tools()).tools}
        assert "double_it" not in before
        await server.add_dynamic_tool(DOUBLE)
        for _ in range(50):
            if seen:
                break
            import anyio

            await anyio.sleep(0.02)
        assert seen, "no notifications/tools/list_changed received"
        tools = {t.name: t for t in (await c.list_tools()).tools}
        assert tools["double_it"].input_schema["required"] == ["n"]

        result = await c.call_tool("double_it", {"n": 21})
        assert not result.is_error and result.structured_content == {"doubled": 42}
        result = await c.call_tool("double_it", {"n": "x"})
        assert result.is_error and "invalid arguments for double_it: n" in result.content[0].text
        result = await c.call_tool("double_it", {"n": 1, "extra": 2})
        assert result.is_error and "extra" in result.content[0].text

        assert await server.remove_dynamic_tool("double_it")
        assert "double_it" not in {t.name for t in (await c.list_tools()).tools}
        assert len(seen) == 2


async def test_list_changed_reaches_2026_listen_streams(server: SreMCP) -> None:
    """A 2026-07-28 client (no handshake) hears of new tools on ``subscriptions/listen``."""
    import anyio

    async with connected_session(server, mode="auto") as c:
        assert c.protocol_version == "2026-07-28"
        assert c.server_capabilities.tools.list_changed
        events: list[Any] = []
        async with c.listen(tools_list_changed=True) as subscription:
            await server.add_dynamic_tool(DOUBLE)
            with anyio.fail_after(5):
                async for event in subscription:
                    events.append(event)
                    break
        assert events and "double_it" in {t.name for t in (await c.list_tools()).tools}
        result = await c.call_tool("double_it", {"n": 2})
        assert result.structured_content == {"doubled": 4}


async def test_dynamic_tool_cannot_shadow_builtin(server: SreMCP) -> None:
    clash = DOUBLE.model_copy(update={"name": "get_api_spec"})
    with pytest.raises(Exception, match="taken by a built-in"):
        await server.add_dynamic_tool(clash)


async def test_prompts(server: SreMCP) -> None:
    async with connected_session(server) as c:
        prompts = {p.name: p for p in (await c.list_prompts()).prompts}
        assert {"diagnose_pod", "health_report"} <= set(prompts)
        args = {a.name: a for a in prompts["diagnose_pod"].arguments or []}
        assert args["pod"].required and not args["namespace"].required
        got = await c.get_prompt("diagnose_pod", {"pod": "cart-7d9", "namespace": "shop"})
        text = got.messages[0].content.text
        assert "'cart-7d9'" in text and "'shop'" in text and "read-only" in text


async def test_sampling_asks_the_clients_model(server: SreMCP) -> None:
    asked: list[Any] = []

    async def scripted_stand_in_llm(context: Any, params: Any) -> CreateMessageResult:
        """A scripted stand-in for the client's LLM, behind the real sampling protocol."""
        asked.append(params)
        return CreateMessageResult(role="assistant", model="scripted-stand-in",
                                   content=TextContent(type="text", text="pong"))

    @server.tool()
    async def ping_model(ctx: Context) -> str:
        llm = SamplingLLM(ctx.session)
        answer = await llm.complete([Message(role="system", content="be brief"),
                                     Message(role="user", content="ping")])
        return f"{answer.model}:{answer.text}"

    async with connected_session(
            server, sampling_callback=scripted_stand_in_llm) as c:
        result = await c.call_tool("ping_model", {})
        assert result.content[0].text == "scripted-stand-in:pong"
    assert asked[0].system_prompt == "be brief"
    assert asked[0].messages[0].content.text == "ping"


async def test_sampling_unavailable_is_a_clear_error(server: SreMCP) -> None:
    @server.tool()
    async def ping_model() -> str:
        SamplingLLM(server.get_context().session)  # the 1.x way still works
        return "unreachable"

    async with connected_session(server) as c:
        result = await c.call_tool("ping_model", {})
        assert result.is_error and "does not offer sampling" in result.content[0].text



async def test_refresh_reports_progress(home: Path, tmp_path: Path) -> None:
    import json

    spec = tmp_path / "pets.json"
    spec.write_text(json.dumps({"openapi": "3.0.3", "info": {"title": "p", "version": "1"},
                                "paths": {"/p": {"get": {"operationId": "listP",
                                                         "responses": {"200": {}}}}}}))
    from mcp_sre.specs.model import SpecSource

    catalog = ServerState(load_settings(home=home)).catalog
    catalog.add_source(SpecSource(name="pets", provider="pets", url=str(spec)))
    server = build_server(ServerState(load_settings(home=home)))
    updates: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        updates.append((progress, total, message))

    async with connected_session(server) as c:
        result = await c.call_tool("refresh_specs", {"name": "pets"},
                                   progress_callback=on_progress)
        assert not result.is_error
    assert updates[0] == (0, 1, "syncing pets") and updates[-1] == (1, 1, "done")


def test_cached_validation_matches_jsonschema(server: SreMCP) -> None:
    """Run-time tool arguments are checked by a cached validator that must give the same
    verdicts as jsonschema's own."""
    import jsonschema

    from mcp_sre.server import schemas

    schema = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 0},
                                               "tags": {"type": "array",
                                                        "items": {"$ref": "#/$defs/tag"}}},
              "required": ["n"], "$defs": {"tag": {"type": "string", "maxLength": 3}}}
    good = {"n": 1, "tags": ["a", "bb"]}
    for bad in ({}, {"n": -1}, {"n": 1, "tags": ["long"]}, {"n": "x"}):
        with pytest.raises(jsonschema.ValidationError) as ours:
            schemas.validate(bad, schema)
        with pytest.raises(jsonschema.ValidationError) as theirs:
            jsonschema.validate(bad, schema)
        assert ours.value.message == theirs.value.message
    schemas.validate(good, schema)
    with pytest.raises(jsonschema.SchemaError):
        schemas.validate({}, {"type": "no-such-type"})


async def test_argument_errors_are_one_clear_line(tmp_path) -> None:
    """Issue 20 item 12: ``top_k: 0`` returned pydantic's raw multi-line report."""
    from mcp_sre.config import load_settings
    from mcp_sre.server import ServerState, build_server
    from mcp_sre.server.sdk import connected_session

    state = ServerState(load_settings(home=tmp_path))
    async with connected_session(build_server(state)) as client:
        answer = await client.call_tool("search_apis", {"query": "list pods", "top_k": 0})
    text = answer.content[0].text
    assert answer.isError
    assert text == ("invalid arguments for search_apis: top_k: Input should be greater than "
                    "or equal to 1 (got 0)")
