"""The audit log: one JSON line per bridged call, allowed or not.

Lines are appended with a single ``write`` on an ``O_APPEND`` descriptor, so concurrent runs
(threads or processes) never interleave inside a line. Parameter values whose *names* look
secret (passwords, tokens, keys) are replaced before they reach the log or the run result.
"""

from __future__ import annotations

import json
import os
import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mcp_sre.sandbox.models import CallRecord

__all__ = ["AuditLog", "redact"]

_SECRET_NAME = re.compile(r"pass(word|phrase)?|secret|token|credential|private|api_?key|"
                          r"access_?key|session_?key", re.IGNORECASE)
_PAGINATION = re.compile(r"(next|pagination|continuation|starting|page)_?token", re.IGNORECASE)
_MAX_VALUE_CHARS = 2000


def _secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name)) and not _PAGINATION.search(name)


def redact(value: Any, depth: int = 0) -> Any:
    """A copy of ``value`` with secret-looking fields masked and long strings shortened."""
    if depth > 12:
        return "…"
    if isinstance(value, dict):
        return {str(k): "***" if _secret_name(str(k)) and not isinstance(v, bool | dict | list)
                else redact(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v, depth + 1) for v in value[:200]]
    if isinstance(value, str) and len(value) > _MAX_VALUE_CHARS:
        return value[:_MAX_VALUE_CHARS] + "…"
    return value


class AuditLog:
    """Appends call records to ``path`` (``$MCP_SRE_HOME/audit.log``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def write(self, record: CallRecord, *, run_id: str) -> None:
        entry = {
            "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "run_id": run_id,
            **record.model_dump(mode="json"),
        }
        line = (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)

    def read(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The last ``limit`` entries (all by default); for tests and ``mcp-sre`` tooling."""
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        chosen = lines[-limit:] if limit else lines
        return [json.loads(line) for line in chosen if line.strip()]
