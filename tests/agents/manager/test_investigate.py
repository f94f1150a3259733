"""End to end: the ``investigate`` tool through a real MCP client (progress notifications,
follow-up in the same MCP session, a clear tool error for bad input), and ``mcp-sre eval modes``
on the demo's local Kubernetes target (hell, the log follow-up, a resume)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import anyio
import pytest

from mcp_sre.config import PROJECT_ROOT, load_settings
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.server import ServerState, build_server
from mcp_sre.server.sdk import connected_session
from mcp_sre.specs.catalog import SpecCatalog
from mcp_sre_demo.modes import SCENARIO, run_modes
from mcp_sre_demo.targets import local_kubernetes

SWAGGER = PROJECT_ROOT / "plugins" / "mcp_sre_kubernetes" / "specs" / "kubernetes-swagger.json"
HELL = "web-app Pod 一直 CrashLoopBackOff, 根因是什么?"


@pytest.fixture(autouse=True)
def _shared(monkeypatch: pytest.MonkeyPatch, module_dir: Path) -> None:
    """No ambient model; the sandbox's compiled interpreter shared with the other tests."""
    monkeypatch.delenv("MCP_SRE_LLM_BASE_URL", raising=False)
    monkeypatch.setenv("MCP_SRE_WASM_CACHE", str(module_dir))


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    with local_kubernetes(tmp_path, str(SCENARIO)) as (env, server):
        monkeypatch.setenv("KUBECONFIG", env["KUBECONFIG"])
        yield server


def _state(tmp_path: Path) -> ServerState:
    """A server over the Kubernetes spec alone, with a copy of the starter tools."""
    registry = tmp_path / "registry"
    shutil.copytree(PROJECT_ROOT / "tool_registry", registry,
                    ignore=shutil.ignore_patterns(".lock", "*.sqlite*", "__pycache__"))
    settings = load_settings(home=tmp_path / "home", registry_dir=registry, sources=[
        {"name": "kubernetes", "provider": "kubernetes", "url": str(SWAGGER),
         "format": "swagger"}])
    pm = make_plugin_manager(only={"swagger", "kubernetes"})
    return ServerState(catalog=SpecCatalog(settings, pm))


def test_investigate_through_an_mcp_client(cluster: Any, tmp_path: Path) -> None:
    server = build_server(_state(tmp_path))
    progress: list[str] = []

    async def main() -> tuple[Any, Any, Any]:
        async with connected_session(server) as client:
            async def on_progress(done: float, total: float | None, message: str | None) -> None:
                progress.append(message or "")

            first = await client.call_tool("investigate", {"request": HELL},
                                           progress_callback=on_progress)
            logs = await client.call_tool("investigate", {"request": "它的日志呢"})
            bad = await client.call_tool("investigate", {"resume": "no-such-run"})
            return first, logs, bad

    first, logs, bad = anyio.run(main)
    assert not first.isError, first.content
    body = first.structuredContent
    assert body["plan"] == "workload_root_cause" and body["status"] == "finished"
    assert "DATABASE_URL" in body["answer"]
    assert any(s["id"] == "diagnose" and s["status"] == "ok" for s in body["steps"])
    assert any(m.startswith("diagnose:") for m in progress)
    follow = logs.structuredContent
    assert follow["plan"] == "workload_logs", follow
    assert "web-app-5f7c9d8b6-qx2lm" in follow["resolved"]
    assert "DATABASE_URL is not set" in follow["answer"]
    assert bad.isError and "no run" in bad.content[0].text


def test_ask_user_through_mcp_elicitation(cluster: Any, tmp_path: Path) -> None:
    """The workload asked about does not exist: the crash-looping ones are listed, the user is
    asked which one was meant (elicitation), and that one is diagnosed."""
    from mcp.types import ElicitResult

    server = build_server(_state(tmp_path))
    asked: list[str] = []

    async def elicit(context: Any, params: Any) -> ElicitResult:
        asked.append(params.message)
        return ElicitResult(action="accept", content={"answer": "web-app"})

    async def main() -> Any:
        async with connected_session(server, elicitation_callback=elicit) as client:
            return await client.call_tool("investigate", {
                "request": "why is the billing-api pod crashing?"})

    body = anyio.run(main).structuredContent
    assert asked and "web-app-5f7c9d8b6-qx2lm" in asked[0]
    status = {s["id"]: s["status"] for s in body["steps"]}
    assert status["diagnose"] == "failed" and status["rediagnose"] == "ok"
    assert "DATABASE_URL" in body["answer"]


def test_eval_modes_on_the_local_kubernetes_target() -> None:
    report = run_modes(["hell", "followup-logs", "resume"])
    assert report["n"] == 3
    failed = [c for c in report["cases"] if not c["passed"]]
    assert not failed, failed
    assert {c["name"] for c in report["cases"]} == {"hell", "followup-logs", "resume"}
    assert all(c["steps"] >= 2 and c["seconds"] > 0 for c in report["cases"])
