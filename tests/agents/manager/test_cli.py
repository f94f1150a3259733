"""``mcp-sre runs list|show`` and ``mcp-sre ask``'s errors, through click."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mcp_sre.agents.manager import AgentResult, Plan, RunStore
from mcp_sre.agents.manager.plans import StepOutcome
from mcp_sre.cli import main


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MCP_SRE_HOME", str(tmp_path))
    monkeypatch.delenv("MCP_SRE_LLM_BASE_URL", raising=False)
    return tmp_path


def _recorded(home: Path) -> str:
    store = RunStore(home / "manager" / "runs.sqlite")
    plan = Plan.model_validate({"name": "chain", "steps": [
        {"id": "find", "agent": "find_tool"},
        {"id": "run", "agent": "tool", "depends_on": ["find"], "when": "find.data.reuse"},
        {"id": "search", "agent": "search", "depends_on": ["find"]},
        {"id": "answer", "agent": "answer", "depends_on": ["run", "search"], "always": True}]})
    run_id = store.create("列出CPU>80%的EC2实例", plan)
    for step, status, summary in (("find", "ok", "tool fits"), ("run", "ok", "2 found"),
                                  ("search", "skipped", ""), ("answer", "ok", "2 found")):
        store.step(run_id, StepOutcome(id=step, agent="x", status=status,
                                       result=AgentResult(status=status, summary=summary)
                                       if summary else None, note="" if summary else "cond"))
    store.finish(run_id, "finished", "2 found")
    return run_id


def test_runs_list_and_show(home: Path) -> None:
    run_id = _recorded(home)
    runner = CliRunner()
    listed = runner.invoke(main, ["runs", "list"])
    assert listed.exit_code == 0 and run_id in listed.output and "4 steps" in listed.output
    shown = runner.invoke(main, ["runs", "show", run_id])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0].startswith(f"run {run_id} [finished] plan chain")
    assert "└─ find [find_tool] ok" in shown.output
    assert "   ├─ run [tool] ok" in shown.output and "when find.data.reuse" in shown.output
    assert "   └─ search [search] skipped" in shown.output
    assert "after run, search" in shown.output  # the answer waited for both
    as_json = json.loads(runner.invoke(main, ["runs", "show", run_id, "--json"]).output)
    assert [s["step_id"] for s in as_json["steps"]] == ["find", "run", "search", "answer"]


def test_errors_are_one_line(home: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(main, ["runs", "show", "nope"])
    assert missing.exit_code == 1 and missing.output.startswith("error: no run 'nope'")
    resume = runner.invoke(main, ["ask", "--resume", "nope"])
    assert resume.exit_code == 1 and "no run 'nope'" in resume.output
    empty = runner.invoke(main, ["ask"])
    assert empty.exit_code == 2 and "--resume" in empty.output
