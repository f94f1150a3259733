"""The on-disk registry: one folder per tool, one sub-folder per version, readable by a person.

::

    tool_registry/
      .lock                     # flock'd by every writer (threads and processes)
      pods_not_ready/
        tool.json               # ToolState: active version, status, history
        v1/  tool.py  test_tool.py  meta.json
        v2/  ...

A version folder is written complete under a temporary name and renamed into place, and
``tool.json`` is replaced atomically, so a reader sees a version entirely or not at all, and a
crash leaves at worst an ignored ``.tmp`` folder. Writers serialise on an exclusive ``flock``
of ``.lock``, so two registrations at once (even from two processes) get distinct version
numbers and never interleave their head updates. Removed tools move to ``.removed/``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

from mcp_sre.config import atomic_write, file_lock
from mcp_sre.errors import NotFoundError
from mcp_sre.registry.models import NAME_PATTERN, RegisteredTool, ToolState, utcnow

__all__ = ["RegistryStore"]

CODE_FILE, TEST_FILE, META_FILE, HEAD_FILE = "tool.py", "test_tool.py", "meta.json", "tool.json"


class RegistryStore:
    """Reads and writes registered tools under ``root``; every write holds the registry lock."""

    # flock is per open file description, so threads of one process are ordered by this
    # re-entrant lock and only the outermost ``locked()`` of a thread takes the flock.
    _thread_lock = threading.RLock()
    _depth = threading.local()

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # ------------------------------------------------------------------ lock
    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Exclusive access for a read-modify-write (re-entrant within a thread)."""
        with self._thread_lock:
            depth = getattr(self._depth, "n", 0)
            self._depth.n = depth + 1
            try:
                if depth:
                    yield
                    return
                with file_lock(self.root / ".lock"):
                    yield
            finally:
                self._depth.n = depth

    # ------------------------------------------------------------------ reads
    def _dir(self, name: str) -> Path:
        if not NAME_PATTERN.match(name):
            raise NotFoundError(f"no tool named {name!r}",
                                hint="tool names are lower_snake_case, 3-64 characters")
        return self.root / name

    def names(self) -> list[str]:
        """Every tool with a head file, sorted (deprecated ones included)."""
        if not self.root.is_dir():
            return []
        return sorted(p.parent.name for p in self.root.glob(f"*/{HEAD_FILE}")
                      if NAME_PATTERN.match(p.parent.name))

    def exists(self, name: str) -> bool:
        return NAME_PATTERN.match(name) is not None and (self.root / name / HEAD_FILE).is_file()

    def head(self, name: str) -> ToolState:
        path = self._dir(name) / HEAD_FILE
        try:
            return ToolState.model_validate_json(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NotFoundError(f"no tool named {name!r}", hint=self._hint(name)) from None

    def versions(self, name: str) -> list[int]:
        base = self._dir(name)
        found = []
        for p in base.glob("v*"):
            if p.is_dir() and p.name[1:].isdigit() and (p / META_FILE).is_file():
                found.append(int(p.name[1:]))
        return sorted(found)

    def load(self, name: str, version: int | None = None) -> RegisteredTool:
        """One version (the active one by default) with its code and test."""
        head = self.head(name)
        version = head.active_version if version is None else version
        vdir = self._dir(name) / f"v{version}"
        try:
            meta = json.loads((vdir / META_FILE).read_text(encoding="utf-8"))
            meta["code"] = (vdir / CODE_FILE).read_text(encoding="utf-8")
            meta["test"] = (vdir / TEST_FILE).read_text(encoding="utf-8")
        except FileNotFoundError:
            have = ", ".join(f"v{v}" for v in self.versions(name)) or "none"
            raise NotFoundError(f"tool {name!r} has no version {version}",
                                hint=f"versions on disk: {have}") from None
        return RegisteredTool.model_validate(meta)

    def _hint(self, name: str) -> str:
        import difflib

        close = difflib.get_close_matches(name, self.names(), n=3, cutoff=0.6)
        return f"did you mean: {', '.join(close)}" if close else "list tools with list_registered_tools"

    # ----------------------------------------------------------------- writes
    def add_version(self, tool: RegisteredTool) -> RegisteredTool:
        """Store ``tool`` as the next version and make it active; returns it with its version."""
        with self.locked():
            base = self.root / tool.name
            head = self.head(tool.name) if self.exists(tool.name) else None
            on_disk = self.versions(tool.name) if base.is_dir() else []
            version = max([head.latest_version if head else 0, *on_disk]) + 1
            tool = tool.model_copy(update={"version": version})
            final = base / f"v{version}"
            tmp = base / f".v{version}.{os.getpid()}.{threading.get_ident()}.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            try:
                (tmp / CODE_FILE).write_text(tool.code, encoding="utf-8")
                (tmp / TEST_FILE).write_text(tool.test, encoding="utf-8")
                (tmp / META_FILE).write_text(
                    json.dumps(tool.meta(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
                for f in tmp.iterdir():
                    with open(f, "rb") as fh:
                        os.fsync(fh.fileno())
                os.rename(tmp, final)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            now = utcnow()
            if head is None:
                head = ToolState(name=tool.name, active_version=version, latest_version=version)
            head.active_version = head.latest_version = version
            head.status, head.status_reason, head.status_changed_at = "active", "registered", now
            head.history.append(f"{now:%Y-%m-%dT%H:%M:%SZ} v{version} registered")
            self.write_head(head)
            return tool

    def write_head(self, head: ToolState) -> None:
        with self.locked():
            head.history = head.history[-200:]
            atomic_write(self.root / head.name / HEAD_FILE,
                         head.model_dump_json(indent=2) + "\n")

    def remove(self, name: str) -> Path:
        """Move a tool (every version) to ``.removed/<name>.<timestamp>``; returns the new path."""
        with self.locked():
            self.head(name)  # NotFoundError with a hint
            dest = self.root / ".removed" / f"{name}.{utcnow():%Y%m%dT%H%M%S%fZ}"
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.rename(self._dir(name), dest)
            return dest
