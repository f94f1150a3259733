"""Usage statistics of registered tools in SQLite (``$MCP_SRE_HOME/registry/stats.sqlite``).

WAL mode and a busy timeout make it safe for several server and CLI processes at once: each
call is one short transaction. ``totals`` keeps lifetime counters per tool; ``calls`` keeps the
recent calls (the last :data:`KEEP_CALLS` per tool) for the latency median and for the
deprecation window of the active version.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from mcp_sre.registry.models import ToolStats

__all__ = ["KEEP_CALLS", "StatsStore"]

KEEP_CALLS = 1000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS totals (
    name TEXT PRIMARY KEY,
    calls INTEGER NOT NULL DEFAULT 0,
    successes INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_called_at REAL
);
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    ts REAL NOT NULL,
    ok INTEGER NOT NULL,
    duration_ms REAL NOT NULL,
    error TEXT
);
CREATE INDEX IF NOT EXISTS calls_by_tool ON calls (name, version, ts);
"""


class StatsStore:
    """Thread-safe recorder and reader: one connection per thread, short transactions.

    ``synchronous = NORMAL`` under WAL cannot corrupt the database; a power cut may lose the
    last few call records, which is an acceptable price for ~1 ms per record instead of ~20.
    """

    def __init__(self, path: Path, keep_calls: int = KEEP_CALLS) -> None:
        self.path = Path(path)
        self.keep_calls = keep_calls
        self._local = threading.local()

    def _connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                               check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.executescript(_SCHEMA)
        self._local.conn = conn
        return conn

    def record(self, name: str, version: int, *, ok: bool, duration_ms: float,
               error: str | None = None) -> None:
        now = time.time()
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO calls (name, version, ts, ok, duration_ms, error) "
                "VALUES (?, ?, ?, ?, ?, ?)", (name, version, now, int(ok), duration_ms, error))
            conn.execute(
                "INSERT INTO totals (name, calls, successes, failures, last_error, last_called_at)"
                " VALUES (?, 1, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                "calls = calls + 1, successes = successes + excluded.successes, "
                "failures = failures + excluded.failures, "
                "last_error = COALESCE(excluded.last_error, last_error), "
                "last_called_at = excluded.last_called_at",
                (name, int(ok), int(not ok), None if ok else (error or "failed")[:2000], now))
            conn.execute(
                "DELETE FROM calls WHERE name = ? AND id <= (SELECT id FROM calls WHERE name = ? "
                "ORDER BY id DESC LIMIT 1 OFFSET ?)", (name, name, self.keep_calls))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def get(self, name: str, version: int | None = None, since: datetime | None = None
            ) -> ToolStats:
        """Lifetime totals, the p50 of recent calls, and the window of ``version`` since
        ``since`` (the deprecation rule looks only at that window)."""
        conn = self._connect()
        conn.execute("BEGIN")
        try:
            row = conn.execute("SELECT calls, successes, failures, last_error, last_called_at "
                               "FROM totals WHERE name = ?", (name,)).fetchone()
            durations = [r[0] for r in conn.execute(
                "SELECT duration_ms FROM calls WHERE name = ? ORDER BY id DESC LIMIT 200",
                (name,))]
            window = (0, 0)
            if version is not None:
                floor = since.timestamp() if since else 0.0
                window = conn.execute(
                    "SELECT COUNT(*), COALESCE(SUM(ok), 0) FROM calls "
                    "WHERE name = ? AND version = ? AND ts >= ?", (name, version, floor)
                ).fetchone()
        finally:
            conn.execute("COMMIT")
        stats = ToolStats(window_calls=window[0], window_successes=window[1])
        if row:
            stats.calls, stats.successes, stats.failures, stats.last_error = row[:4]
            if row[4]:
                stats.last_called_at = datetime.fromtimestamp(row[4], UTC)
        if durations:
            ordered = sorted(durations)
            mid = len(ordered) // 2
            p50 = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
            stats.latency_p50_ms = round(p50, 3)
        return stats

    def forget(self, name: str) -> None:
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM calls WHERE name = ?", (name,))
        conn.execute("DELETE FROM totals WHERE name = ?", (name,))
        conn.execute("COMMIT")
