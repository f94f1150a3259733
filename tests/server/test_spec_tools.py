"""The MCP server through the real `mcp` client over stdio."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
import yaml
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

pytestmark = pytest.mark.anyio

PETS = {
    "openapi": "3.0.3",
    "info": {"title": "pets", "version": "1"},
    "paths": {
        "/pets": {
            "get": {"operationId": "listPets", "tags": ["pets"], "summary": "List pets",
                    "parameters": [{"name": "limit", "in": "query",
                                    "schema": {"type": "integer"}}],
                    "responses": {"200": {"description": "OK"}}},
            "post": {"operationId": "createPet", "tags": ["pets"],
                     "responses": {"201": {"description": "Created"}}},
        }
    },
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def server_params(home: Path, tmp_path: Path) -> StdioServerParameters:
    spec = tmp_path / "pets.json"
    spec.write_text(json.dumps(PETS))
    (home / "config.yaml").write_text(yaml.safe_dump(
        {"sources": [{"name": "pets", "provider": "pets", "url": str(spec)}]}))
    env = {**os.environ, "MCP_SRE_HOME": str(home)}
    return StdioServerParameters(command=sys.executable, args=["-m", "mcp_sre", "serve"], env=env)


async def test_spec_tools_over_stdio(server_params: StdioServerParameters) -> None:
    async with stdio_client(server_params) as (read, write), ClientSession(read, write) as s:
        await s.initialize()
        tools = {t.name: t for t in (await s.list_tools()).tools}
        assert {"get_api_spec", "list_spec_sources", "refresh_specs"} <= set(tools)
        assert "id" in tools["get_api_spec"].input_schema["properties"]
        assert tools["get_api_spec"].description

        result = await s.call_tool("get_api_spec", {"id": "pets/pets/listPets"})
        assert not result.is_error
        spec = result.structured_content
        assert spec["access"] == "read" and spec["parameters"][0]["name"] == "limit"
        assert "raw" not in spec

        result = await s.call_tool("get_api_spec", {"id": "pets/pets/createPet"})
        assert result.structured_content["access"] == "write"

        result = await s.call_tool("get_api_spec", {"id": "pets/pets/listPet"})
        assert result.is_error
        text = result.content[0].text
        assert "NotFoundError" in text and "pets/pets/listPets" in text  # a suggestion

        result = await s.call_tool("list_spec_sources", {})
        rows = result.structured_content["result"]
        pets = next(r for r in rows if r["name"] == "pets")
        assert pets["operations"] == 2 and pets["format"] == "openapi"

        result = await s.call_tool("refresh_specs", {"name": "pets"})
        assert not result.is_error
        assert result.structured_content["result"][0]["operations"] == 2

        result = await s.call_tool("refresh_specs", {"name": "nope"})
        assert result.is_error and "no spec source named 'nope'" in result.content[0].text


async def test_spec_resource_template(server_params: StdioServerParameters) -> None:
    async with stdio_client(server_params) as (read, write), ClientSession(read, write) as s:
        await s.initialize()
        templates = (await s.list_resource_templates()).resourceTemplates
        assert any(t.uri_template == "spec://{provider}/{service}/{operation}" for t in templates)
        res = await s.read_resource("spec://pets/pets/listPets")
        data = json.loads(res.contents[0].text)
        assert data["id"] == "pets/pets/listPets" and data["method"] == "GET"
