"""``health_report`` through a real in-memory MCP session, with progress notifications."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mcp_sre.config import PROJECT_ROOT, load_settings
from mcp_sre.server import ServerState, build_server
from mcp_sre.server.sdk import connected_session

pytestmark = pytest.mark.anyio
SWAGGER = PROJECT_ROOT / "plugins" / "mcp_sre_kubernetes" / "specs" / "kubernetes-swagger.json"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_health_report_tool(home: Path, tmp_path: Path, monkeypatch) -> None:
    from mcp_sre_kubernetes.sim import SimServer

    for var in ("MCP_SRE_PROMETHEUS_URL", "AWS_ENDPOINT_URL", "MCP_SRE_LLM_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    server = build_server(ServerState(load_settings(home=home)))
    progress: list[tuple[float, str | None]] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append((done, message))

    with SimServer("crashloop", swagger=SWAGGER) as sim:
        monkeypatch.setenv("KUBECONFIG", str(sim.write_kubeconfig(tmp_path / "kubeconfig")))
        async with connected_session(server) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            assert tools["health_report"].annotations.read_only_hint
            result = await client.call_tool(
                "health_report",
                {"scope": "帮我分析shop业务的健康状况", "providers": ["kubernetes"]},
                progress_callback=on_progress,
            )
            unknown = await client.call_tool(
                "health_report", {"scope": "nobody-tagged-this", "providers": ["kubernetes"]}
            )
    assert not result.is_error, result.content
    data: dict[str, Any] = result.structured_content or {}
    data = data.get("result", data)
    report = data["report"]
    assert report["status"] == "unhealthy" and report["language"] == "zh"
    assert report["components"][0]["name"] == "checkout"
    assert "健康报告" in data["markdown"]
    assert len(progress) >= 3 and progress[-1][0] == 4 and "done" in (progress[-1][1] or "")
    other = unknown.structured_content or {}
    other = other.get("result", other)
    assert other["report"]["status"] == "unknown" and "shop" in other["report"]["candidates"]
