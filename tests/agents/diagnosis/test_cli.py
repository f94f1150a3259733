"""``mcp-sre diagnose`` and ``mcp-sre eval diagnosis`` through the real command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from mcp_sre.cli import main

from .conftest import FIXTURES, cluster


def test_diagnose_and_eval_commands(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MCP_SRE_HOME", str(tmp_path / "home"))
    case = FIXTURES / "diagnosis" / "fix-crashloop"
    runner = CliRunner()
    with cluster(case / "scenario.yaml", tmp_path) as context:
        monkeypatch.setenv("KUBECONFIG", context["kubernetes"]["kubeconfig"])
        md = runner.invoke(main, ["diagnose", "crashloop-test 命名空间里的 app 为什么一直重启?",
                                  "--no-llm"])
        js = runner.invoke(main, ["diagnose", "why?", "--kind", "Deployment", "--name", "app",
                                  "-n", "crashloop-test", "--json", "--lang", "en"])
        missing = runner.invoke(main, ["diagnose", "why?", "--kind", "Pod", "--name", "nope",
                                       "-n", "crashloop-test"])
    assert md.exit_code == 0, md.output
    assert "根本原因" in md.output and "python3" in md.output
    report = json.loads(js.stdout)
    assert report["language"] == "en" and "python3" in report["root_cause"]
    assert missing.exit_code == 2 and "nope" in missing.output
    cases = tmp_path / "cases"
    shutil.copytree(case, cases / case.name)
    (cases / "broken").mkdir()
    (cases / "broken" / "case.yaml").write_text("question: [unclosed\n")
    out = runner.invoke(main, ["eval", "diagnosis", str(cases), "--json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    assert result["n"] == 2 and result["passed"] == 1 and result["accuracy"] == 0.5
    broken = next(c for c in result["cases"] if c["name"] == "broken")
    assert "case.yaml" in broken["error"]
