"""search_apis through the real MCP client over stdio, on a home whose only indexed source is a
small OpenAPI file (every built-in source is turned off in its config.yaml)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
import yaml
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from mcp_sre.config import load_settings
from mcp_sre.specs.catalog import SpecCatalog

pytestmark = pytest.mark.anyio


def op(op_id: str, summary: str, tag: str) -> dict:
    return {"operationId": op_id, "tags": [tag], "summary": summary,
            "responses": {"200": {"description": "OK"}}}


SHOP = {
    "openapi": "3.0.3",
    "info": {"title": "shop", "version": "1"},
    "paths": {
        "/orders": {"get": op("listOrders", "List the orders of the shop", "orders"),
                    "post": op("createOrder", "Place a new order", "orders")},
        "/invoices/{id}": {"get": op("getInvoice", "Read one invoice by id", "invoices")},
        "/warehouses": {"get": op("listWarehouses", "List the warehouses and their stock",
                                  "warehouses")},
    },
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def server_params(home: Path, tmp_path: Path) -> StdioServerParameters:
    spec = tmp_path / "shop.json"
    spec.write_text(json.dumps(SHOP))
    builtin = [s.name for s in SpecCatalog(load_settings(home=home)).sources() if s.default]
    sources = [{"name": name, "default": False} for name in builtin]
    sources.append({"name": "shop", "provider": "shop", "url": str(spec)})
    (home / "config.yaml").write_text(yaml.safe_dump({"sources": sources}))
    env = {**os.environ, "MCP_SRE_HOME": str(home)}
    return StdioServerParameters(command=sys.executable, args=["-m", "mcp_sre", "serve"], env=env)


async def test_search_apis_over_stdio(server_params: StdioServerParameters) -> None:
    async with stdio_client(server_params) as (read, write), ClientSession(read, write) as s:
        await s.initialize()
        tools = {t.name: t for t in (await s.list_tools()).tools}
        assert {"query", "provider", "service", "top_k"} <= set(
            tools["search_apis"].input_schema["properties"])

        result = await s.call_tool("search_apis", {"query": "list the orders", "top_k": 3})
        assert not result.is_error, result.content
        hits = result.structured_content["result"]
        assert hits[0]["id"] == "shop/orders/listOrders" and hits[0]["access"] == "read"
        assert len(hits) <= 3 and all(h["id"].startswith("shop/") for h in hits)

        invoice = await s.call_tool("search_apis", {"query": "read an invoice", "top_k": 1})
        assert invoice.structured_content["result"][0]["id"] == "shop/invoices/getInvoice"

        bad = await s.call_tool("search_apis", {"query": "orders", "top_k": 0})
        assert bad.is_error


async def test_search_apis_says_when_results_are_keyword_only(
        server_params: StdioServerParameters) -> None:
    """With no embedding model, the client is told (an MCP log message) that the results are
    keyword-only, instead of silently getting a weaker ranking."""
    server_params.env = {**(server_params.env or {}), "MCP_SRE_EMBEDDER": "none"}
    said: list[str] = []

    async def on_log(params) -> None:  # type: ignore[no-untyped-def]
        said.append(f"{params.level}: {params.data}")

    async with stdio_client(server_params) as (read, write), \
            ClientSession(read, write, logging_callback=on_log) as s:
        await s.initialize()
        result = await s.call_tool("search_apis", {"query": "list the orders", "top_k": 3})
        assert not result.is_error
    assert any(m.startswith("warning:") and "keyword-only" in m for m in said), said


async def test_search_apis_llm_rerank_through_sampling(
        server_params: StdioServerParameters) -> None:
    """llm_rerank=true asks the client's own model (a stand-in behind the real sampling
    protocol) for search words of its own, then to pick among the top results; its pick comes
    first and as many results come back as were asked for."""
    from mcp.types import CreateMessageResult, TextContent

    server_params.env = {k: v for k, v in (server_params.env or {}).items()
                         if not k.startswith("MCP_SRE_LLM_")}
    asked: list[str] = []

    async def stand_in_model(context, params) -> CreateMessageResult:  # type: ignore[no-untyped-def]
        prompt = params.messages[-1].content.text
        asked.append(prompt)
        # its search words name the invoices; among the results it picks that operation
        picked = next((line.split(".")[0] for line in prompt.splitlines()
                       if "/getInvoice " in line), "2")
        text = "get invoice" if "API words" in prompt else picked
        return CreateMessageResult(role="assistant", model="sampling-stand-in",
                                   content=TextContent(type="text", text=text))

    said: list[str] = []

    async def on_log(params) -> None:  # type: ignore[no-untyped-def]
        said.append(f"{params.level}: {params.data}")

    async with stdio_client(server_params) as (read, write), \
            ClientSession(read, write, sampling_callback=stand_in_model,
                          logging_callback=on_log) as s:
        await s.initialize()
        args = {"query": "list the orders", "top_k": 3}
        plain = (await s.call_tool("search_apis", args)).structured_content["result"]
        picked = (await s.call_tool("search_apis", {**args, "llm_rerank": True}))
        assert not picked.is_error, picked.content
        ranked = picked.structured_content["result"]
    assert len(asked) == 2 and all("list the orders" in a for a in asked)
    assert "API words" in asked[0] and f"2. {plain[1]['id']}" in asked[1]
    assert "shop/invoices/getInvoice" not in [h["id"] for h in plain]
    assert ranked[0]["id"] == "shop/invoices/getInvoice" and len(ranked) == len(plain) == 3
    assert [h["id"] for h in ranked[1:]] == [h["id"] for h in plain[:2]]
    assert not any("llm_rerank" in m for m in said), said


async def test_search_apis_llm_rerank_without_a_model_says_so(
        server_params: StdioServerParameters) -> None:
    server_params.env = {k: v for k, v in (server_params.env or {}).items()
                         if not k.startswith("MCP_SRE_LLM_")}
    said: list[str] = []

    async def on_log(params) -> None:  # type: ignore[no-untyped-def]
        said.append(f"{params.level}: {params.data}")

    async with stdio_client(server_params) as (read, write), \
            ClientSession(read, write, logging_callback=on_log) as s:
        await s.initialize()
        args = {"query": "list the orders", "top_k": 3}
        plain = (await s.call_tool("search_apis", args)).structured_content["result"]
        result = await s.call_tool("search_apis", {**args, "llm_rerank": True})
        assert not result.is_error, result.content
    assert [h["id"] for h in result.structured_content["result"]] == [h["id"] for h in plain]
    assert any(m.startswith("warning:") and "llm_rerank: no model" in m for m in said), said
