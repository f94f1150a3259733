"""The search rewriter's LLM seam: off unless asked for, and when on, the configured
OpenAI-compatible endpoint (a stand-in model behind a real HTTP server on 127.0.0.1)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if str(Path(__file__).resolve().parents[1]) not in sys.path:  # tests/ holds chat_endpoint
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from chat_endpoint import running_chat_server

from mcp_sre.config import load_settings
from mcp_sre.llm.resolve import query_rewrite_llm
from mcp_sre.retrieval.rewrite import QueryRewriter


def _env(url: str) -> dict[str, str]:
    return {"MCP_SRE_LLM_BASE_URL": url, "MCP_SRE_LLM_MODEL": "stand-in-model",
            "MCP_SRE_LLM_TIMEOUT_S": "5"}


def test_off_unless_the_setting_and_an_endpoint_are_both_there(tmp_path: Path) -> None:
    off = load_settings(home=tmp_path)
    on = load_settings(home=tmp_path, llm_query_rewrite=True)
    assert query_rewrite_llm(off, _env("http://127.0.0.1:9/v1")) is None
    assert query_rewrite_llm(on, {}) is None


def test_the_setting_comes_from_the_environment(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("MCP_SRE_LLM_QUERY_REWRITE", "1")
    assert load_settings(home=tmp_path).llm_query_rewrite is True


def test_the_endpoint_rewrites_a_request_into_search_terms(tmp_path: Path) -> None:
    with running_chat_server(lambda body: "list namespaced pods; pod") as server:
        ask = query_rewrite_llm(load_settings(home=tmp_path, llm_query_rewrite=True),
                                _env(server.url))
        assert ask is not None
        rewritten = QueryRewriter(llm=ask).rewrite("电商平台现在跑着哪些容器组")
        again = QueryRewriter(llm=ask).rewrite("电商平台现在跑着哪些容器组")
    assert rewritten.llm_rewrite and "pods" in rewritten.llm_rewrite
    assert "pod" in rewritten.terms  # the model's words take part in the search
    assert again.llm_rewrite == rewritten.llm_rewrite
    assert len(server.requests) == 1  # a repeated request is answered from memory
    assert "电商平台现在跑着哪些容器组" in server.requests[0]["messages"][-1]["content"]


def test_a_failing_endpoint_leaves_the_plain_rewrite(tmp_path: Path) -> None:
    with running_chat_server() as server:
        server.script = [(500, {}, {"error": "down"}, 0.0)] * 10
        ask = query_rewrite_llm(load_settings(home=tmp_path, llm_query_rewrite=True),
                                {**_env(server.url), "MCP_SRE_LLM_MAX_RETRIES": "0"})
        rewritten = QueryRewriter(llm=ask).rewrite("list pods in namespace shop")
    assert rewritten.llm_rewrite is None
    assert "pod" in rewritten.terms
