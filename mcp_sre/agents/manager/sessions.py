"""Sessions: what a conversation has asked, answered and named, for follow-up requests.

A session (one per MCP session, or ``--session ID`` on the CLI) keeps its turns in SQLite next
to the run records. Entities (businesses, namespaces, pods, instances, ids) come from the
results' own ``entities``; a follow-up's references ("它的日志呢", "再查一下那个业务", "the other
namespace", "the second instance") are resolved against them by the rules in
``references.yaml``. Long histories are compressed to a summary that keeps every entity and
each answer's first line, within a token budget; sessions expire by age. Turns are appended in
one ``BEGIN IMMEDIATE`` transaction each, so two clients in one session never lose a turn.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from mcp_sre.agents.manager.protocol import Entity
from mcp_sre.errors import ValidationError

__all__ = ["Resolution", "Session", "SessionStore", "Turn", "estimate_tokens", "resolve",
           "variation"]

REFERENCES = Path(__file__).with_name("references.yaml")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, created REAL NOT NULL,
  updated REAL NOT NULL, summary TEXT NOT NULL DEFAULT '', compressed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS turns (session_id TEXT NOT NULL, seq INTEGER NOT NULL,
  request TEXT NOT NULL, resolved TEXT NOT NULL, answer TEXT NOT NULL DEFAULT '',
  entities TEXT NOT NULL DEFAULT '[]', run_id TEXT, playbook TEXT NOT NULL DEFAULT '',
  at REAL NOT NULL, PRIMARY KEY (session_id, seq));
"""


class Turn(BaseModel):
    """One request and its answer."""

    seq: int
    request: str
    resolved: str = Field(description="The request with its references filled in")
    answer: str = ""
    entities: list[Entity] = Field(default_factory=list)
    run_id: str | None = None
    playbook: str = ""
    at: float = 0.0


class Session(BaseModel):
    id: str
    summary: str = Field(default="", description="Compressed older turns")
    turns: list[Turn] = Field(default_factory=list)

    def entities(self) -> list[Entity]:
        """Every entity named so far, oldest first."""
        return [e for t in self.turns for e in t.entities]


class Resolution(BaseModel):
    """A follow-up request with what its references point at."""

    text: str = Field(description="The request to plan for")
    bindings: dict[str, Entity] = Field(default_factory=dict, description="kind -> entity")
    repeated: str = Field(default="", description="The earlier request it repeats, if any")


def estimate_tokens(text: str) -> int:
    """Rough token count: CJK characters count one each, other text one per four chars."""
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return cjk + (len(text) - cjk) // 4 + 1


@lru_cache(maxsize=1)
def _rules() -> dict[str, Any]:
    return yaml.safe_load(REFERENCES.read_text(encoding="utf-8"))


def _ordinal(text: str) -> int | None:
    for n, words in _rules()["ordinals"].items():
        if any(w in text for w in words):
            return int(n)
    return None


def _last_list(session: Session, kind: str) -> list[Entity]:
    for turn in reversed(session.turns):
        found = [e for e in turn.entities if e.kind == kind]
        if found:
            return found
    return []


def resolve(request: str, session: Session | None) -> Resolution:
    """Fill the references of ``request`` from ``session`` (unchanged without history)."""
    if session is None or not session.turns:
        return Resolution(text=request)
    text = request.lower()
    rules = _rules()
    bindings: dict[str, Entity] = {}
    history = session.entities()
    for rule in rules["rules"]:
        if not any(p in text for p in rule["phrases"]) or (
                bindings and rule.get("only_if_unbound")):
            continue
        for kind in rule["kinds"]:
            if kind in bindings:
                break
            seen = [e for e in history if e.kind == kind]
            if not seen:
                continue
            if rule["pick"] == "ordinal":
                n = _ordinal(text)
                items = _last_list(session, kind)
                if n is None or not items or not (-len(items) <= (n - 1 if n > 0 else n)
                                                  < len(items)):
                    continue
                bindings[kind] = items[n - 1 if n > 0 else n]
            elif rule["pick"] == "other":
                last_turn = [e for e in session.turns[-1].entities if e.kind == kind]
                used = last_turn[-1].value if last_turn else seen[-1].value
                others = [e for e in seen if e.value != used]
                if not others:
                    continue
                bindings[kind] = others[-1]
            else:
                bindings[kind] = seen[-1]
            break
    repeated = ""
    if any(w in text for w in rules["again"]):
        repeated = session.turns[-1].resolved
        for turn in reversed(session.turns):  # the turn that named the bound entity
            if any(e in turn.entities for e in bindings.values()):
                repeated = turn.resolved
                break
    if not bindings and not repeated:
        return Resolution(text=request)
    parts = [request]
    if repeated:
        parts.append(f"(again: {repeated})")
    for kind, entity in bindings.items():
        where = f" in namespace {entity.namespace}" if entity.namespace else ""
        parts.append(f"[{kind} {entity.value}{where}]")
    return Resolution(text=" ".join(parts), bindings=bindings, repeated=repeated)


def variation(res: Resolution, session: Session | None) -> Resolution | None:
    """A short follow-up read as a variation of the previous request ("那CPU超过90%的呢?"
    after "列出CPU>80%的EC2实例"); None when it does not read as one. The manager asks this
    only when the request alone fits no playbook."""
    if session is None or not session.turns or res.repeated:
        return None
    if not any(w in res.text.lower() for w in _rules().get("variation", [])):
        return None
    previous = session.turns[-1].resolved
    return res.model_copy(update={"text": f"{res.text} (like: {previous})",
                                  "repeated": previous})


class SessionStore:
    """Sessions in SQLite (WAL); ``max_age_s`` expires idle ones, ``token_budget`` bounds the
    history handed to a model."""

    def __init__(self, path: Path, *, max_age_s: float = 7 * 86400,
                 token_budget: int = 1500, keep_turns: int = 6) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.max_age_s, self.token_budget, self.keep_turns = max_age_s, token_budget, keep_turns
        self._local = threading.local()
        self._expired_at = 0.0
        self._db().executescript(_SCHEMA)  # its own transaction

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            for attempt in range(50):  # switching to WAL skips the busy timeout: retry it
                try:
                    db.execute("PRAGMA journal_mode=WAL")
                    break
                except sqlite3.OperationalError:
                    if attempt == 49:
                        raise
                    time.sleep(0.1)
            db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, never corrupt
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

    @staticmethod
    def _check(session_id: str) -> str:
        if not isinstance(session_id, str) or not session_id.strip() or len(session_id) > 200:
            raise ValidationError("a session id is a non-empty string of at most 200 characters")
        return session_id.strip()

    def load(self, session_id: str) -> Session:
        """The session (empty when new or expired; an expired one is dropped)."""
        session_id = self._check(session_id)
        self.expire()
        db = self._db()
        row = db.execute("SELECT summary FROM sessions WHERE id=?", (session_id,)).fetchone()
        turns = [Turn(seq=r["seq"], request=r["request"], resolved=r["resolved"],
                      answer=r["answer"], run_id=r["run_id"], playbook=r["playbook"], at=r["at"],
                      entities=[Entity(**e) for e in json.loads(r["entities"])])
                 for r in db.execute("SELECT * FROM turns WHERE session_id=? ORDER BY seq",
                                     (session_id,))]
        return Session(id=session_id, summary=row["summary"] if row else "", turns=turns)

    def append(self, session_id: str, turn: Turn) -> Turn:
        """Add a turn (its seq is assigned here, atomically), then compress if too long."""
        session_id = self._check(session_id)
        now = time.time()
        with self._tx() as db:
            db.execute("INSERT OR IGNORE INTO sessions (id, created, updated) VALUES (?,?,?)",
                       (session_id, now, now))
            row = db.execute("SELECT coalesce(max(seq), 0) + 1 AS n FROM turns WHERE "
                             "session_id=?", (session_id,)).fetchone()
            turn = turn.model_copy(update={"seq": int(row["n"]), "at": now})
            db.execute("INSERT INTO turns (session_id, seq, request, resolved, answer, entities,"
                       " run_id, playbook, at) VALUES (?,?,?,?,?,?,?,?,?)",
                       (session_id, turn.seq, turn.request, turn.resolved, turn.answer,
                        json.dumps([e.model_dump() for e in turn.entities], ensure_ascii=False),
                        turn.run_id, turn.playbook, now))
            db.execute("UPDATE sessions SET updated=? WHERE id=?", (now, session_id))
        self.compress(session_id)
        return turn

    def compress(self, session_id: str) -> None:
        """Fold turns beyond the newest ``keep_turns`` into the summary once the history
        exceeds the token budget: entities and each answer's first line survive."""
        session = self.load(session_id)
        if estimate_tokens(self.context(session)) <= self.token_budget:
            return
        old = session.turns[:-self.keep_turns] if len(session.turns) > self.keep_turns else []
        if not old:
            return
        lines = [session.summary] if session.summary else []
        for turn in old:
            if turn.request == "(earlier turns)":
                continue  # its text is the summary already
            first = (turn.answer.strip().splitlines() or [""])[0][:160]
            named = ", ".join(sorted({f"{e.kind}={e.value}" for e in turn.entities}))
            lines.append(f"- {turn.request[:120]} -> {first}" + (f" ({named})" if named else ""))
        summary = "\n".join(lines)
        while estimate_tokens(summary) > self.token_budget // 2 and "\n" in summary:
            summary = summary.split("\n", 1)[1]  # the oldest lines go first
        last = old[-1].seq
        with self._tx() as db:
            db.execute("UPDATE sessions SET summary=?, compressed=compressed+? WHERE id=?",
                       (summary, len(old), session_id))
            # the entities of dropped turns stay resolvable: keep them on a summary turn
            keep = [e.model_dump() for t in old for e in t.entities]
            db.execute("DELETE FROM turns WHERE session_id=? AND seq<=?", (session_id, last))
            db.execute("INSERT INTO turns (session_id, seq, request, resolved, answer, entities,"
                       " at) VALUES (?,?,?,?,?,?,?)",
                       (session_id, last, "(earlier turns)", "(earlier turns)", summary,
                        json.dumps(keep, ensure_ascii=False), time.time()))

    def context(self, session: Session) -> str:
        """The history as text for a model, newest turns kept whole."""
        parts = [f"Earlier: {session.summary}"] if session.summary else []
        for turn in session.turns:
            parts.append(f"Q{turn.seq}: {turn.request}\nA{turn.seq}: {turn.answer[:600]}")
        return "\n".join(parts)

    def expire(self) -> int:
        """Drop sessions idle longer than ``max_age_s`` (checked at most once a minute, or
        always when sessions expire sooner than that)."""
        now = time.time()
        if now - self._expired_at < min(60.0, self.max_age_s):
            return 0
        self._expired_at = now
        cutoff = now - self.max_age_s
        with self._tx() as db:
            gone = [r["id"] for r in db.execute("SELECT id FROM sessions WHERE updated<?",
                                                (cutoff,))]
            for sid in gone:
                db.execute("DELETE FROM turns WHERE session_id=?", (sid,))
                db.execute("DELETE FROM sessions WHERE id=?", (sid,))
        return len(gone)
