"""What the server's shared state builds: the retriever gets the LLM rewrite seam only when
the user turned it on and configured an endpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mcp_sre.config import load_settings
from mcp_sre.server import ServerState


def test_retriever_asks_the_endpoint_only_when_turned_on(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("MCP_SRE_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("MCP_SRE_LLM_MODEL", "stand-in-model")
    assert ServerState(load_settings(home=tmp_path)).retriever.llm is None
    state = ServerState(load_settings(home=tmp_path, llm_query_rewrite=True))
    assert callable(state.retriever.llm)
