"""The MCP Inspector's CLI mode (a third-party client, from the npm registry) against us."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

INSPECTOR = os.environ.get("MCP_SRE_INSPECTOR") or shutil.which("mcp-inspector")

pytestmark = pytest.mark.skipif(not INSPECTOR, reason="MCP Inspector not installed "
                                "(.ci/run installs it from npm; set MCP_SRE_INSPECTOR)")


def inspector(home: Path, *args: str, era: str = "legacy") -> dict:
    env = {**os.environ, "MCP_SRE_HOME": str(home)}
    # the Inspector passes only a few variables to the server it spawns: name ours with -e
    out = subprocess.run([INSPECTOR, "--cli", "--protocol-era", era, "-e", f"MCP_SRE_HOME={home}",
                          sys.executable, "-m", "mcp_sre", "serve", *args],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_inspector_lists_and_calls_tools(home: Path, tmp_path: Path) -> None:
    spec = tmp_path / "pets.json"
    spec.write_text(json.dumps({"openapi": "3.0.3", "info": {"title": "p", "version": "1"},
                                "paths": {"/pets": {"get": {"operationId": "listPets",
                                                            "responses": {"200": {}}}}}}))
    (home / "config.yaml").write_text(f"sources:\n- {{name: pets, provider: pets, url: '{spec}'}}\n")
    listed = inspector(home, "--method", "tools/list")
    names = {t["name"] for t in listed["tools"]}
    assert {"get_api_spec", "list_spec_sources", "refresh_specs"} <= names
    called = inspector(home, "--method", "tools/call", "--tool-name", "get_api_spec",
                       "--tool-arg", "id=pets/pets/listPets")
    assert not called.get("isError") and called["structuredContent"]["method"] == "GET"


def test_inspector_hears_of_tool_list_changes_in_both_eras(home: Path) -> None:
    """Handshake-era clients learn ``tools.list_changed`` from the initialize result (our
    middleware sets it; MCPServer alone would not), 2026-07-28 clients from the SDK."""
    for era in ("legacy", "modern"):
        init = inspector(home, "--method", "initialize", era=era)
        assert init["capabilities"]["tools"]["listChanged"] is True, (era, init)
    assert init["protocolVersion"] == "2026-07-28"
    called = inspector(home, "--method", "tools/call", "--tool-name", "list_spec_sources",
                       era="modern")
    assert not called.get("isError") and called["structuredContent"]["result"]
