"""A run killed for real (SIGKILL of the process mid-step) is resumed from its record: the
steps that finished before the kill are not run again."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import yaml

from mcp_sre.agents.manager import ManagerAgent, PlaybookLibrary

PLAYBOOK = {
    "name": "chain", "description": "list the pods of a namespace then wait then echo",
    "examples": ["list the pods of namespace shop"],
    "steps": [
        {"id": "pods", "agent": "pods", "inputs": {"namespace": "shop"}},
        {"id": "wait", "agent": "sleep", "depends_on": ["pods"], "inputs": {"seconds": 3}},
        {"id": "answer", "agent": "answer", "depends_on": ["pods", "wait"], "always": True,
         "inputs": {"steps": "{{steps}}", "order": ["pods", "wait"]}}],
}
FALLBACK = {"name": "explore", "description": "fallback", "fallback": True,
            "steps": [{"id": "answer", "agent": "answer", "inputs": {"steps": "{{steps}}"}}]}
CHILD = """
import sys, anyio
from pathlib import Path
from types import SimpleNamespace
sys.path.insert(0, {tests!r})
from agents.manager.conftest import Probe
from mcp_sre.agents.manager import ManagerAgent, PlaybookLibrary
from mcp_sre.plugin_manager import make_plugin_manager
home = Path({home!r})
services = SimpleNamespace(settings=SimpleNamespace(home=home),
                           pm=make_plugin_manager(only=set(), extra=[Probe()]))
manager = ManagerAgent(services, home=home,
                       library=PlaybookLibrary(home / "saved", shipped=home / "books"))
anyio.run(lambda: manager.investigate("list the pods of namespace shop"))
"""


def _states(db_path: Path) -> dict[str, str]:
    if not db_path.exists():
        return {}
    try:
        with sqlite3.connect(db_path, timeout=5) as db:
            return dict(db.execute("SELECT step_id, status FROM steps"))
    except sqlite3.OperationalError:  # the child has not created the tables yet
        return {}


def test_sigkill_mid_run_then_resume(services: Any, tmp_path: Path, probe: Any) -> None:
    books = tmp_path / "books"
    books.mkdir()
    (books / "chain.yaml").write_text(yaml.safe_dump(PLAYBOOK))
    (books / "explore.yaml").write_text(yaml.safe_dump(FALLBACK))
    tests = str(Path(__file__).resolve().parents[2])
    child = subprocess.Popen([sys.executable, "-c", CHILD.format(tests=tests,
                                                                 home=str(tmp_path))])
    db_path = tmp_path / "manager" / "runs.sqlite"
    deadline = time.monotonic() + 60
    try:
        while _states(db_path) != {"pods": "ok", "wait": "running"}:
            assert child.poll() is None and time.monotonic() < deadline, _states(db_path)
            time.sleep(0.1)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    # the kill left the run as a crash does: running, its first step done, the second not
    manager = ManagerAgent(services, home=tmp_path,
                           library=PlaybookLibrary(tmp_path / "saved", shipped=books))
    [run] = manager.records.list()
    assert run["status"] == "running"
    resumed = anyio.run(lambda: manager.investigate(resume=run["id"]))
    assert [c[0] for c in probe.calls] == ["sleep"]  # pods was not run again
    assert resumed.resumed and resumed.status == "finished"
    assert {s.id: s.status for s in resumed.steps} == {"pods": "ok", "wait": "ok",
                                                      "answer": "ok"}
    assert "2 pods in shop" in resumed.answer and "slept 3" in resumed.answer
    assert manager.records.get(run["id"]).attempts == 2
