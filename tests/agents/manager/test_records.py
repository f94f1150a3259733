"""Run records and resume: killed after step k, resumed without redoing it; unknown, finished
and corrupted runs give clear errors and leave other runs alone."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import anyio
import pytest
import yaml

from mcp_sre.agents.manager import ManagerAgent, PlaybookLibrary, RunRecordError
from mcp_sre.errors import NotFoundError

CHAIN = {
    "name": "chain", "description": "list the pods of a namespace then echo them",
    "examples": ["list the pods of namespace shop"],
    "steps": [
        {"id": "pods", "agent": "pods", "inputs": {"namespace": "shop"}},
        {"id": "wait", "agent": "sleep", "depends_on": ["pods"], "inputs": {"seconds": 0.05}},
        {"id": "show", "agent": "echo", "depends_on": ["wait"],
         "inputs": {"pods": "{{pods.data.pods}}"}},
        {"id": "answer", "agent": "answer", "depends_on": ["pods", "wait", "show"],
         "always": True, "inputs": {"steps": "{{steps}}", "order": ["pods", "show"]}},
    ],
}
FALLBACK = {"name": "explore", "description": "fallback", "fallback": True,
            "steps": [{"id": "answer", "agent": "answer", "inputs": {"steps": "{{steps}}"}}]}


@pytest.fixture
def manager(services: Any, tmp_path: Path) -> ManagerAgent:
    shipped = tmp_path / "books"
    shipped.mkdir()
    (shipped / "chain.yaml").write_text(yaml.safe_dump(CHAIN))
    (shipped / "explore.yaml").write_text(yaml.safe_dump(FALLBACK))
    return ManagerAgent(services, home=tmp_path,
                        library=PlaybookLibrary(tmp_path / "saved", shipped=shipped))


def ask(manager: ManagerAgent, *args: Any, **kw: Any) -> Any:
    return anyio.run(lambda: manager.investigate(*args, **kw))


def test_run_is_recorded_step_by_step(manager: ManagerAgent) -> None:
    result = ask(manager, "list the pods of namespace shop")
    assert result.status == "finished" and result.plan == "chain"
    assert "shop-pod-1" in result.answer
    record = manager.records.get(result.run_id)
    assert [s.step_id for s in record.steps] == ["pods", "wait", "show", "answer"]
    assert all(s.status == "ok" and s.seconds >= 0 for s in record.steps)
    assert record.steps[2].inputs == {"pods": ["shop-pod-1", "shop-pod-2"]}
    listed = manager.records.list()
    assert listed[0]["id"] == result.run_id and listed[0]["steps"] == 4
    db = sqlite3.connect(manager.records.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_killed_after_step_k_then_resumed_without_redoing(manager: ManagerAgent,
                                                          probe: Any) -> None:
    first = ask(manager, "list the pods of namespace shop", stop_after=1)
    assert first.status == "interrupted"
    assert manager.records.get(first.run_id).status == "running"  # as a crash leaves it
    assert [c[0] for c in probe.calls] == ["pods"]  # stopped right after step 1
    probe.calls.clear()
    resumed = ask(manager, resume=first.run_id)
    assert resumed.status == "finished" and resumed.resumed
    assert [c[0] for c in probe.calls] == ["sleep", "echo"]  # pods was not run again
    record = manager.records.get(first.run_id)
    assert record.attempts == 2 and record.status == "finished"
    assert {s.step_id: s.attempt for s in record.steps} == {
        "pods": 1, "wait": 2, "show": 2, "answer": 2}


def test_resume_of_unknown_and_finished_runs(manager: ManagerAgent) -> None:
    with pytest.raises(NotFoundError, match="no run"):
        ask(manager, resume="nope")
    done = ask(manager, "list the pods of namespace shop")
    with pytest.raises(RunRecordError, match="finished"):
        ask(manager, resume=done.run_id)


def test_a_corrupted_record_fails_alone(manager: ManagerAgent) -> None:
    good = ask(manager, "list the pods of namespace shop")
    bad = ask(manager, "list the pods of namespace shop", stop_after=1)
    db = sqlite3.connect(manager.records.path)
    db.execute("UPDATE runs SET plan='{not json' WHERE id=?", (bad.run_id,))
    db.execute("UPDATE steps SET result='garbage' WHERE run_id=?", (bad.run_id,))
    db.commit()
    with pytest.raises(RunRecordError, match="corrupted"):
        ask(manager, resume=bad.run_id)
    assert manager.records.get(good.run_id).status == "finished"
    assert {r["id"] for r in manager.records.list()} == {good.run_id, bad.run_id}


def test_nothing_fits_says_what_was_tried(manager: ManagerAgent) -> None:
    result = ask(manager, "quantum flux capacitor readings")
    assert result.source == "fallback" and result.status == "failed"
    assert "Nothing could answer" in result.answer


def test_empty_request_is_a_clear_error(manager: ManagerAgent) -> None:
    from mcp_sre.errors import ValidationError

    with pytest.raises(ValidationError, match="empty"):
        ask(manager, "   ")


def test_two_clients_in_one_session_at_once(manager: ManagerAgent) -> None:
    results: list[Any] = []

    async def main() -> None:
        async def one() -> None:
            results.append(await manager.investigate("list the pods of namespace shop",
                                                     session_id="shared"))

        async with anyio.create_task_group() as tg:
            tg.start_soon(one)
            tg.start_soon(one)

    anyio.run(main)
    assert [r.status for r in results] == ["finished", "finished"]
    assert results[0].run_id != results[1].run_id
    turns = manager.sessions.load("shared").turns
    assert [t.seq for t in turns] == [1, 2] and {t.run_id for t in turns} == {
        r.run_id for r in results}
