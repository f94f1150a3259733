"""The `mcp-sre` command line on a real data directory."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from mcp_sre.cli import main

PETS = {
    "openapi": "3.0.3",
    "info": {"title": "pets", "version": "1"},
    "paths": {"/pets": {"get": {"operationId": "listPets", "summary": "List pets",
                                "responses": {"200": {"description": "OK"}}}}},
}


def test_add_list_show(home: Path, tmp_path: Path) -> None:
    spec = tmp_path / "pets.json"
    spec.write_text(json.dumps(PETS))
    runner = CliRunner()
    result = runner.invoke(main, ["specs", "add", "pets", str(spec)])
    assert result.exit_code == 0, result.output
    assert "1 operations (openapi)" in result.output

    result = runner.invoke(main, ["specs", "list", "--json"])
    rows = {r["name"]: r for r in json.loads(result.output)}
    assert rows["pets"]["operations"] == 1 and rows["pets"]["provider"] == "pets"

    result = runner.invoke(main, ["specs", "show", "pets/pets/listPets", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["summary"] == "List pets"

    result = runner.invoke(main, ["specs", "show", "pets/pets/listPets"])
    assert "[read]" in result.output and "GET /pets" in result.output


def test_errors_are_one_line(home: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["specs", "show", "nosuch/x/y"])
    assert result.exit_code == 1 and result.output.startswith("error: unknown provider")
    missing = tmp_path / "missing.json"
    result = runner.invoke(main, ["specs", "add", "bad", str(missing)])
    assert result.exit_code == 1 and "file not found" in result.output
    junk = tmp_path / "junk.txt"
    junk.write_text("hello, I am not a spec")
    result = runner.invoke(main, ["specs", "add", "junk", str(junk)])
    assert result.exit_code == 1 and "no format plugin recognises" in result.output
    result = runner.invoke(main, ["specs", "add", "Bad Name!", str(junk)])
    assert result.exit_code == 1 and "invalid source name" in result.output
    assert "Traceback" not in result.output


def test_sync_reports_failing_source(home: Path) -> None:
    (home / "config.yaml").write_text(
        "sources:\n- {name: down, provider: down, url: 'http://127.0.0.1:9/spec.json'}\n")
    result = CliRunner().invoke(main, ["specs", "sync", "down", "--json"])
    assert result.exit_code == 1
    (row,) = json.loads(result.output)
    assert row["name"] == "down" and "cannot reach" in row["error"]


def test_config_snippets(monkeypatch) -> None:
    for var in ("KUBECONFIG", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "MCP_SRE_HOME"):
        monkeypatch.delenv(var, raising=False)
    runner = CliRunner()
    desktop = json.loads(runner.invoke(main, ["config", "claude-desktop"]).output)
    assert desktop["mcpServers"]["mcp-sre"]["args"] == ["serve"]
    assert desktop["mcpServers"]["mcp-sre"]["command"] == "mcp-sre"  # no virtualenv path
    vscode = json.loads(runner.invoke(main, ["config", "vscode", "--home", "/tmp/h"]).output)
    assert vscode["servers"]["mcp-sre"]["env"] == {"MCP_SRE_HOME": "/tmp/h"}
    assert runner.invoke(main, ["config", "claude-code"]).output.startswith("claude mcp add")
    # issue 20 item 12: the server must see the clusters and accounts the user sees
    monkeypatch.setenv("KUBECONFIG", "/k/config")
    monkeypatch.setenv("AWS_PROFILE", "prod-ro")
    cursor = json.loads(runner.invoke(main, ["config", "cursor", "--home", "/tmp/h"]).output)
    assert cursor["mcpServers"]["mcp-sre"]["env"] == {
        "KUBECONFIG": "/k/config", "AWS_PROFILE": "prod-ro", "MCP_SRE_HOME": "/tmp/h"}
    code = runner.invoke(main, ["config", "claude-code"]).output
    assert "-e KUBECONFIG=/k/config -e AWS_PROFILE=prod-ro" in code
    assert runner.invoke(main, ["config", "emacs"]).exit_code == 2


def test_plugin_commands_come_from_entry_points(monkeypatch) -> None:
    """A plugin adds a subcommand through the ``mcp_sre.cli`` entry-point group; one that
    cannot be imported is left out with a warning instead of breaking the CLI."""
    import importlib.metadata

    import click

    from mcp_sre.cli import LazyGroup

    assert "k8s-sim" in main.list_commands(click.Context(main))  # the installed metadata
    eps = [importlib.metadata.EntryPoint("k8s-sim", "mcp_sre_kubernetes.sim.cli:k8s_sim",
                                         "mcp_sre.cli"),
           importlib.metadata.EntryPoint("broken", "no_such_module:command", "mcp_sre.cli"),
           importlib.metadata.EntryPoint("search", "no_such_module:command", "mcp_sre.cli")]
    monkeypatch.setattr(importlib.metadata, "entry_points",
                        lambda group=None: eps if group == "mcp_sre.cli" else [])
    group = LazyGroup(name="mcp-sre")
    ctx = click.Context(group)
    assert {"k8s-sim", "broken", "search"} <= set(group.list_commands(ctx))
    command = group.get_command(ctx, "k8s-sim")
    assert command is not None and command.name == "k8s-sim"
    assert group.get_command(ctx, "broken") is None
    search = group.get_command(ctx, "search")  # a plugin cannot replace a built-in
    assert search is not None and search.name == "search"
