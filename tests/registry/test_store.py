"""The on-disk layout, atomic versions and the cross-process lock; the SQLite usage stats."""

from __future__ import annotations

import json
import multiprocessing
from datetime import timedelta
from pathlib import Path

import pytest

from mcp_sre.errors import NotFoundError
from mcp_sre.registry.models import RegisteredTool, utcnow
from mcp_sre.registry.stats import KEEP_CALLS, StatsStore
from mcp_sre.registry.store import RegistryStore


def _tool(name: str = "pods_not_ready", marker: str = "1") -> RegisteredTool:
    return RegisteredTool(
        name=name, description="Pods that are not ready.", code=f"def main():\n    return {marker}\n",
        test="assert main()\n", parameters={"type": "object", "properties": {}},
        request="which pods are not ready")


def test_layout_is_readable_folder_per_version(tmp_path: Path) -> None:
    store = RegistryStore(tmp_path / "reg")
    first = store.add_version(_tool(marker="1"))
    second = store.add_version(_tool(marker="2"))
    assert (first.version, second.version) == (1, 2)
    base = tmp_path / "reg" / "pods_not_ready"
    assert sorted(p.name for p in base.iterdir()) == ["tool.json", "v1", "v2"]
    assert (base / "v2" / "tool.py").read_text() == "def main():\n    return 2\n"
    assert (base / "v1" / "test_tool.py").read_text() == "assert main()\n"
    meta = json.loads((base / "v1" / "meta.json").read_text())
    assert meta["request"] == "which pods are not ready" and "code" not in meta
    head = store.head("pods_not_ready")
    assert (head.active_version, head.latest_version, head.status) == (2, 2, "active")
    assert store.load("pods_not_ready").code.endswith("return 2\n")
    assert store.load("pods_not_ready", 1).code.endswith("return 1\n")
    assert store.names() == ["pods_not_ready"]


def test_missing_tools_and_versions_say_what_exists(tmp_path: Path) -> None:
    store = RegistryStore(tmp_path / "reg")
    store.add_version(_tool())
    with pytest.raises(NotFoundError, match="did you mean: pods_not_ready"):
        store.head("pods_not_readyy")
    with pytest.raises(NotFoundError, match="versions on disk: v1"):
        store.load("pods_not_ready", 7)
    with pytest.raises(NotFoundError, match="lower_snake_case"):
        store.head("../etc")


def test_half_written_version_folder_is_ignored(tmp_path: Path) -> None:
    store = RegistryStore(tmp_path / "reg")
    store.add_version(_tool())
    (tmp_path / "reg" / "pods_not_ready" / ".v2.999.1.tmp").mkdir()  # a crashed writer's
    (tmp_path / "reg" / "pods_not_ready" / "v3").mkdir()  # no meta.json: not a version
    assert store.versions("pods_not_ready") == [1]
    assert store.add_version(_tool()).version == 2


def test_remove_moves_the_tool_aside(tmp_path: Path) -> None:
    store = RegistryStore(tmp_path / "reg")
    store.add_version(_tool())
    dest = store.remove("pods_not_ready")
    assert dest.parent == tmp_path / "reg" / ".removed"
    assert (dest / "v1" / "tool.py").is_file()
    assert store.names() == [] and not store.exists("pods_not_ready")


def _register_many(root: str, worker: int, count: int) -> None:
    store = RegistryStore(Path(root))
    for i in range(count):
        store.add_version(_tool(marker=f"{worker * 1000 + i}"))


def test_concurrent_registrations_from_processes_never_collide(tmp_path: Path) -> None:
    root = tmp_path / "reg"
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_register_many, args=(str(root), w, 15)) for w in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    store = RegistryStore(root)
    assert store.versions("pods_not_ready") == list(range(1, 46))
    head = store.head("pods_not_ready")
    assert head.latest_version == head.active_version == 45
    assert len([h for h in head.history if "registered" in h]) == 45
    markers = {store.load("pods_not_ready", v).code for v in range(1, 46)}
    assert len(markers) == 45  # every registration kept its own code
    assert not list((root / "pods_not_ready").glob(".*tmp"))


# ------------------------------------------------------------------------------- stats
def test_stats_totals_median_and_window(tmp_path: Path) -> None:
    stats = StatsStore(tmp_path / "registry" / "stats.sqlite")
    for ms in (10, 30, 20):
        stats.record("t_one", 1, ok=True, duration_ms=ms)
    stats.record("t_one", 2, ok=False, duration_ms=40, error="timeout: too slow")
    got = stats.get("t_one", version=2)
    assert (got.calls, got.successes, got.failures) == (4, 3, 1)
    assert got.last_error == "timeout: too slow"
    assert got.latency_p50_ms == 25.0
    assert (got.window_calls, got.window_successes) == (1, 0)
    assert stats.get("t_one", version=1).window_calls == 3
    assert stats.get("t_one", version=1, since=utcnow() + timedelta(seconds=5)).window_calls == 0
    assert stats.get("unknown").calls == 0
    conn_mode = __import__("sqlite3").connect(stats.path).execute("PRAGMA journal_mode")
    assert conn_mode.fetchone()[0] == "wal"


def test_stats_keep_a_bounded_call_log(tmp_path: Path) -> None:
    assert KEEP_CALLS >= 200  # the median needs enough recent calls
    stats = StatsStore(tmp_path / "stats.sqlite", keep_calls=50)
    for i in range(70):
        stats.record("busy_tool", 1, ok=True, duration_ms=i)
    import sqlite3

    rows = sqlite3.connect(stats.path).execute(
        "SELECT COUNT(*), MIN(duration_ms) FROM calls WHERE name = 'busy_tool'").fetchone()
    assert rows == (50, 20)  # the oldest 20 were dropped
    assert stats.get("busy_tool").calls == 70


def _record_many(path: str, count: int) -> None:
    stats = StatsStore(Path(path))
    for i in range(count):
        stats.record("shared_tool", 1, ok=i % 2 == 0, duration_ms=i)


def test_stats_safe_for_concurrent_processes(tmp_path: Path) -> None:
    path = tmp_path / "stats.sqlite"
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_record_many, args=(str(path), 60)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    got = StatsStore(path).get("shared_tool")
    assert (got.calls, got.successes, got.failures) == (180, 90, 90)
