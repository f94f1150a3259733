"""The failure store: what happened (searches, runs, diagnoses, tool calls), what people said
about it (feedback), and the lessons derived from both -- one SQLite file under
``$MCP_SRE_HOME/learning/``. A corrupted file is moved aside and rebuilt from nothing with a
warning; no error here ever blocks serving (the learner treats a failing store as empty)."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

__all__ = ["Event", "FailureStore", "Lesson"]

log = logging.getLogger("mcp_sre.learning")
EVENT_DAYS = 30  # events (searches, runs, ...) older than this are dropped when the store opens

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    ref TEXT PRIMARY KEY, kind TEXT NOT NULL, created REAL NOT NULL,
    request TEXT NOT NULL DEFAULT '', payload TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY, ref TEXT NOT NULL, verdict TEXT NOT NULL, correction TEXT,
    weight REAL NOT NULL, source TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS lessons (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, request TEXT NOT NULL, target TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '', weight REAL NOT NULL, created REAL NOT NULL,
    source_ref TEXT NOT NULL DEFAULT '', data TEXT NOT NULL DEFAULT '{}',
    UNIQUE (kind, request, target));
CREATE INDEX IF NOT EXISTS events_created ON events(created);
"""


class Event(BaseModel):
    ref: str = Field(description="Reference id handed to the client (s-..., r-..., d-...)")
    kind: str = Field(description="search, run, diagnosis, tool_call, codegen, health")
    created: float = Field(description="Unix time")
    request: str = Field(default="", description="The request as the user wrote it")
    payload: dict[str, Any] = Field(default_factory=dict, description="What was answered")


class Lesson(BaseModel):
    id: int = Field(description="Lesson id (for lessons show/rm)")
    kind: str = Field(description="retrieval (request -> operation boost or penalty), codegen "
                      "(error -> fix note on an operation), tool (request a tool answered), "
                      "evidence (a diagnosis/health signal's weight)")
    request: str = Field(description="The request it was learned from")
    target: str = Field(description="Operation id, tool name or signal it is about")
    note: str = Field(default="", description="The note (codegen), or why it exists")
    weight: float = Field(description="Strength: > 0 boosts, < 0 demotes (before decay)")
    created: float = Field(description="Unix time of the last reinforcement")
    source_ref: str = Field(default="", description="The event it came from")
    data: dict[str, Any] = Field(default_factory=dict,
                                 description="What matching needs (rewritten terms, vector)")


class FailureStore:
    """Thread-safe access to the SQLite file ``path`` (created on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self.version = 0  # bumped on every lesson change, for readers' caches

    # ---------------------------------------------------------------- connection
    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._conn = self._open()
            except sqlite3.DatabaseError as exc:
                self._rebuild(exc)
        assert self._conn is not None
        return self._conn

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, timeout=5)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)
            conn.execute("SELECT count(*) FROM lessons").fetchone()
            with conn:  # events only matter while feedback on them can still come
                conn.execute("DELETE FROM events WHERE created < ?",
                             (time.time() - EVENT_DAYS * 86400,))
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def _rebuild(self, exc: Exception) -> None:
        aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
        log.warning("learning store %s is unreadable (%s); moved to %s and rebuilt empty",
                    self.path, exc, aside.name)
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:
                pass
            self._conn = None
        for suffix in ("", "-wal", "-shm"):
            part = Path(f"{self.path}{suffix}")
            if part.exists():
                part.replace(Path(f"{aside}{suffix}"))
        self._conn = self._open()
        self.version += 1

    def _run(self, sql: str, args: tuple[Any, ...] = (), *, many: bool = False) -> list[Any]:
        with self._lock:
            for attempt in (1, 2):
                try:
                    conn = self._connect()
                    with conn:
                        cur = conn.executemany(sql, args) if many else conn.execute(sql, args)
                        return cur.fetchall()
                except sqlite3.DatabaseError as exc:
                    if attempt == 2 or isinstance(exc, sqlite3.IntegrityError):
                        raise
                    self._rebuild(exc)
        return []

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -------------------------------------------------------------------- events
    def add_event(self, event: Event) -> None:
        self._run("INSERT OR REPLACE INTO events VALUES (?, ?, ?, ?, ?)",
                  (event.ref, event.kind, event.created, event.request,
                   json.dumps(event.payload, ensure_ascii=False)))

    def event(self, ref: str) -> Event | None:
        rows = self._run("SELECT * FROM events WHERE ref = ?", (ref,))
        return _event(rows[0]) if rows else None

    def recent_events(self, kind: str, since: float) -> list[Event]:
        rows = self._run("SELECT * FROM events WHERE kind = ? AND created >= ? "
                         "ORDER BY created DESC LIMIT 200", (kind, since))
        return [_event(r) for r in rows]

    # ------------------------------------------------------------------ feedback
    def add_feedback(self, ref: str, verdict: str, correction: str | None, weight: float,
                     source: str) -> None:
        self._run("INSERT INTO feedback (ref, verdict, correction, weight, source, created) "
                  "VALUES (?, ?, ?, ?, ?, ?)", (ref, verdict, correction, weight, source,
                                                time.time()))

    def feedback_count(self) -> int:
        return int(self._run("SELECT count(*) FROM feedback")[0][0])

    # ------------------------------------------------------------------- lessons
    def upsert_lesson(self, kind: str, request: str, target: str, weight: float, *,
                      note: str = "", source_ref: str = "", data: dict[str, Any] | None = None,
                      cap: float = 1.0) -> Lesson:
        """Add a lesson, or reinforce the same one (weights add up to ``cap``)."""
        now = time.time()
        blob = json.dumps(data or {}, ensure_ascii=False)
        self._run(
            "INSERT INTO lessons (kind, request, target, note, weight, created, source_ref, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, request, target) DO UPDATE SET "
            "weight = max(-?, min(?, weight + excluded.weight)), created = excluded.created, "
            "note = CASE WHEN excluded.note != '' THEN excluded.note ELSE note END, "
            "source_ref = excluded.source_ref",
            (kind, request, target, note, max(-cap, min(cap, weight)), now, source_ref, blob,
             cap, cap))
        self.version += 1
        row = self._run("SELECT * FROM lessons WHERE kind = ? AND request = ? AND target = ?",
                        (kind, request, target))[0]
        return _lesson(row)

    def lessons(self, kind: str | None = None) -> list[Lesson]:
        rows = (self._run("SELECT * FROM lessons WHERE kind = ? ORDER BY id", (kind,)) if kind
                else self._run("SELECT * FROM lessons ORDER BY id"))
        return [_lesson(r) for r in rows]

    def lesson(self, lesson_id: int) -> Lesson | None:
        rows = self._run("SELECT * FROM lessons WHERE id = ?", (lesson_id,))
        return _lesson(rows[0]) if rows else None

    def remove_lesson(self, lesson_id: int) -> bool:
        found = self.lesson(lesson_id) is not None
        self._run("DELETE FROM lessons WHERE id = ?", (lesson_id,))
        self.version += 1
        return found

    def import_lessons(self, lessons: list[Lesson]) -> int:
        for item in lessons:
            self.upsert_lesson(item.kind, item.request, item.target, item.weight,
                               note=item.note, source_ref=item.source_ref or "import",
                               data=item.data)
        return len(lessons)


def _event(row: Any) -> Event:
    return Event(ref=row[0], kind=row[1], created=row[2], request=row[3],
                 payload=json.loads(row[4] or "{}"))


def _lesson(row: Any) -> Lesson:
    return Lesson(id=row[0], kind=row[1], request=row[2], target=row[3], note=row[4],
                  weight=row[5], created=row[6], source_ref=row[7], data=json.loads(row[8] or "{}"))
