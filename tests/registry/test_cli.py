"""``mcp-sre tools ...`` through click's runner, on a registry folder of the test's own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mcp_sre.registry import ToolRegistry
from mcp_sre.registry.cli import tools


@pytest.fixture
def cli(home: Path, reg_settings, module_dir: Path, sandbox, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MCP_SRE_REGISTRY_DIR", str(reg_settings.registry_dir))
    monkeypatch.setenv("MCP_SRE_OFFLINE", "1")
    (home / "sandbox").mkdir(exist_ok=True)
    for compiled in module_dir.glob("*.cwasm"):  # the CLI's own sandbox skips compiling
        (home / "sandbox" / compiled.name).symlink_to(compiled)
    runner = CliRunner()
    return lambda *args: runner.invoke(tools, list(args), catch_exceptions=False)


def test_list_show_find(cli, registry: ToolRegistry, word_count: dict) -> None:
    registry.register(**word_count, request="count words")
    registry.call("word_count", {"text": "a b"})
    out = cli("list")
    assert out.exit_code == 0
    assert "word_count" in out.output and "v1" in out.output and "active" in out.output
    rows = json.loads(cli("list", "--json").output)
    assert rows[0]["name"] == "word_count" and rows[0]["stats"]["calls"] == 1

    shown = cli("show", "word_count").output
    assert "def main(text: str, top: int = 3)" in shown and "def test_counts_words" in shown
    assert "v1 registered" in shown and "request: count words" in shown

    found = json.loads(cli("find", "count the words of a text", "--json").output)
    assert found["matches"][0]["tool"]["name"] == "word_count" and found["matches"][0]["reuse"]
    assert "reuse word_count" in cli("find", "count the words of a text").output


def test_test_command_exit_status(cli, registry: ToolRegistry, word_count: dict) -> None:
    registry.register(**word_count)
    ok = cli("test", "word_count")
    assert ok.exit_code == 0 and ok.output.startswith("PASS word_count v1: test_counts_words")
    # the environment changed under the tool (simulated: its stored test now expects more)
    stored = registry.store.root / "word_count" / "v1" / "test_tool.py"
    stored.write_text(stored.read_text().replace("== 6", "== 60"))
    failed = cli("test", "word_count")
    assert failed.exit_code == 1
    assert "FAIL word_count v1" in failed.output and "test line 4" in failed.output


def test_rollback_rm_and_errors(cli, registry: ToolRegistry, word_count: dict) -> None:
    registry.register(**word_count)
    refused = cli("rollback", "word_count")
    assert refused.exit_code == 1 and "no version before v1" in refused.output
    registry.register(**word_count)
    assert "v1 is active" in cli("rollback", "word_count").output
    assert registry.store.head("word_count").active_version == 1

    registry.deprecate("word_count", "by a person")
    assert "no registered tools" in cli("list").output
    assert "deprecated" in cli("list", "--all").output
    assert "active again" in cli("restore", "word_count").output

    removed = cli("rm", "word_count")
    assert removed.exit_code == 0 and ".removed" in removed.output
    missing = cli("show", "word_count")
    assert missing.exit_code == 1 and "error: no tool named 'word_count'" in missing.output


def test_find_decides_with_the_embedder_like_the_server(home: Path, monkeypatch) -> None:
    """``tools find`` loads the same embedding model as the server, so a request for the plain
    operation is not reused as a narrower tool (by words alone it would be)."""
    monkeypatch.setenv("MCP_SRE_REGISTRY_DIR", str(Path(__file__).resolve().parents[2]
                                                   / "tool_registry"))
    runner = CliRunner()
    found = json.loads(runner.invoke(tools, ["find", "list all EC2 instances", "--json"],
                                     catch_exceptions=False).output)
    assert found["threshold"] == 0.8
    best = found["matches"][0]
    assert best["tool"]["name"] == "ec2_instances_stopped"  # ranked first...
    assert not best["reuse"] and best["confidence"] < best["similarity"]  # ...not reused
