"""The failure store: corrupted files are rebuilt (with a warning), weights are capped,
lessons can be removed and exported."""

from __future__ import annotations

import logging
from pathlib import Path

from mcp_sre.learning import Event, FailureStore


def test_corrupted_store_is_rebuilt_with_a_warning(tmp_path: Path, caplog) -> None:
    path = tmp_path / "failures.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    store = FailureStore(path)
    with caplog.at_level(logging.WARNING, logger="mcp_sre.learning"):
        store.add_event(Event(ref="s-1", kind="search", created=1.0, request="x"))
    assert "rebuilt" in caplog.text
    assert store.event("s-1") is not None
    assert list(tmp_path.glob("failures.sqlite.corrupt-*"))


def test_weights_add_up_to_the_cap_and_lessons_go(tmp_path: Path) -> None:
    store = FailureStore(tmp_path / "f.sqlite")
    for _ in range(5):
        lesson = store.upsert_lesson("retrieval", "list pods", "k8s/listPods", 0.4)
    assert lesson.weight == 1.0
    assert store.remove_lesson(lesson.id) and not store.remove_lesson(lesson.id)
    assert store.lessons() == []
