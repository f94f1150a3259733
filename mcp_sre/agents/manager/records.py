"""Run records: every manager run and step in SQLite under ``MCP_SRE_HOME`` (WAL mode).

Each step is committed on its own when it starts and when it ends (one transaction each), so a
run killed at any moment leaves every finished step on disk; resume reads them back and runs
only the rest. A row that no longer parses (a corrupted record) raises :class:`RunRecordError`
for that run alone; the other runs stay readable.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from mcp_sre.agents.manager.plans import Plan, PlanError, StepOutcome
from mcp_sre.agents.manager.protocol import AgentResult
from mcp_sre.errors import McpSreError, NotFoundError

__all__ = ["RunRecord", "RunRecordError", "RunStore", "StepRecord"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY, request TEXT NOT NULL, resolved TEXT NOT NULL DEFAULT '',
  session_id TEXT, status TEXT NOT NULL, plan TEXT NOT NULL, source TEXT NOT NULL,
  started REAL NOT NULL, finished REAL, answer TEXT NOT NULL DEFAULT '',
  input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0,
  cost REAL NOT NULL DEFAULT 0, error TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 1,
  changes TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS steps (
  run_id TEXT NOT NULL, step_id TEXT NOT NULL, agent TEXT NOT NULL, status TEXT NOT NULL,
  inputs TEXT NOT NULL DEFAULT '{}', summary TEXT NOT NULL DEFAULT '',
  result TEXT NOT NULL DEFAULT '{}', note TEXT NOT NULL DEFAULT '', started REAL NOT NULL,
  seconds REAL NOT NULL DEFAULT 0, attempt INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (run_id, step_id));
CREATE INDEX IF NOT EXISTS runs_started ON runs(started);
"""
FINISHED_STEP = ("ok", "failed", "skipped", "needs_input")
_MAX_RESULT = 512 * 1024  # a step's stored result; bigger data is cut to its summary


class RunRecordError(McpSreError):
    """A run record cannot be used: it is corrupted, finished, or still running elsewhere."""


class StepRecord(BaseModel):
    """One step as recorded."""

    step_id: str
    agent: str
    status: str
    inputs: dict[str, Any] = Field(default_factory=dict)
    summary: str = ""
    result: AgentResult | None = None
    note: str = ""
    started: float = 0.0
    seconds: float = 0.0
    attempt: int = 1


class RunRecord(BaseModel):
    """One run as recorded (the plan, its steps, the answer, tokens and cost)."""

    id: str
    request: str
    resolved: str = ""
    session_id: str | None = None
    status: str = Field(description="running | finished | failed | cancelled | interrupted")
    plan: Plan
    source: str
    started: float
    finished: float | None = None
    answer: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    error: str = ""
    attempts: int = 1
    changes: list[str] = Field(default_factory=list, description="What changed the plan")
    steps: list[StepRecord] = Field(default_factory=list)


class RunStore:
    """The SQLite file of run records; safe to share between threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._db().executescript(_SCHEMA)  # its own transaction

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            try:
                db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.DatabaseError as exc:
                raise RunRecordError(f"the run store {self.path} cannot be opened: {exc}",
                                     hint="move the file away; a new one is created") from exc
            db.row_factory = sqlite3.Row
            self._local.db = db
        return db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # ------------------------------------------------------------------------------ writing
    def create(self, request: str, plan: Plan, *, resolved: str = "",
               session_id: str | None = None, run_id: str | None = None) -> str:
        run_id = run_id or time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]
        with self._tx() as db:
            db.execute("INSERT INTO runs (id, request, resolved, session_id, status, plan, "
                       "source, started) VALUES (?,?,?,?,?,?,?,?)",
                       (run_id, request, resolved, session_id, "running",
                        plan.model_dump_json(), plan.source, time.time()))
        return run_id

    def set_plan(self, run_id: str, plan: Plan, change: str) -> None:
        """The plan changed (a ReAct step): keep the new plan and why it changed."""
        with self._tx() as db:
            row = db.execute("SELECT changes FROM runs WHERE id=?", (run_id,)).fetchone()
            changes = [*json.loads(row["changes"] if row else "[]"), change]
            db.execute("UPDATE runs SET plan=?, changes=? WHERE id=?",
                       (plan.model_dump_json(), json.dumps(changes, ensure_ascii=False), run_id))

    def step(self, run_id: str, outcome: StepOutcome, attempt: int = 1) -> None:
        """Insert or update one step (its own transaction)."""
        result = outcome.result.model_dump_json() if outcome.result else "{}"
        if len(result) > _MAX_RESULT and outcome.result is not None:
            result = outcome.result.model_copy(update={"data": {"truncated": True}}
                                               ).model_dump_json()
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO steps (run_id, step_id, agent, status, inputs, summary, "
                "result, note, started, seconds, attempt) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (run_id, outcome.id, outcome.agent, outcome.status,
                 json.dumps(outcome.inputs, ensure_ascii=False, default=str),
                 outcome.result.summary if outcome.result else "", result, outcome.note,
                 outcome.started or time.time(), outcome.seconds, attempt))
            if outcome.result is not None and outcome.status != "running":
                c = outcome.result.cost
                db.execute("UPDATE runs SET input_tokens=input_tokens+?, "
                           "output_tokens=output_tokens+?, cost=cost+? WHERE id=?",
                           (c.input_tokens, c.output_tokens, c.usd, run_id))

    def finish(self, run_id: str, status: str, answer: str = "", error: str = "") -> None:
        with self._tx() as db:
            db.execute("UPDATE runs SET status=?, answer=?, error=?, finished=? WHERE id=?",
                       (status, answer, error, time.time(), run_id))

    def reopen(self, run_id: str) -> int:
        """Mark a run running again for a resume; returns the attempt number."""
        with self._tx() as db:
            db.execute("UPDATE runs SET status='running', attempts=attempts+1, finished=NULL "
                       "WHERE id=?", (run_id,))
            row = db.execute("SELECT attempts FROM runs WHERE id=?", (run_id,)).fetchone()
        return int(row["attempts"])

    def add_tokens(self, run_id: str, input_tokens: int, output_tokens: int, usd: float) -> None:
        with self._tx() as db:
            db.execute("UPDATE runs SET input_tokens=input_tokens+?, "
                       "output_tokens=output_tokens+?, cost=cost+? WHERE id=?",
                       (input_tokens, output_tokens, usd, run_id))

    # ------------------------------------------------------------------------------ reading
    def get(self, run_id: str) -> RunRecord:
        db = self._db()
        row = db.execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no run {run_id!r}", hint="list runs with `mcp-sre runs list`")
        try:
            steps = [StepRecord(
                step_id=s["step_id"], agent=s["agent"], status=s["status"],
                inputs=json.loads(s["inputs"]), summary=s["summary"],
                result=(AgentResult.model_validate_json(s["result"])
                        if s["result"] not in ("", "{}") else None),
                note=s["note"], started=s["started"], seconds=s["seconds"],
                attempt=s["attempt"]) for s in db.execute(
                    "SELECT * FROM steps WHERE run_id=? ORDER BY started, rowid", (run_id,))]
            names = list(row.keys())  # a Row iterates over values, not names
            data = {k: row[k] for k in names if k not in ("plan", "changes")}
            return RunRecord(**data, plan=Plan.model_validate_json(row["plan"]),
                             changes=json.loads(row["changes"]), steps=steps)
        except (ValueError, TypeError, ValidationError, PlanError) as exc:
            raise RunRecordError(f"run {run_id} has a corrupted record: "
                                 f"{str(exc).splitlines()[0][:200]}",
                                 hint="other runs are not affected; start the request again"
                                 ) from exc

    def list(self, limit: int = 20) -> list[dict[str, Any]]:
        """Newest runs first (summary columns only: a corrupted plan does not hide a run)."""
        rows = self._db().execute(
            "SELECT r.id, r.request, r.status, r.source, r.started, r.finished, r.session_id, "
            "r.input_tokens, r.output_tokens, r.cost, (SELECT count(*) FROM steps s WHERE "
            "s.run_id=r.id) AS steps FROM runs r ORDER BY r.started DESC LIMIT ?", (limit,))
        return [dict(r) for r in rows]
