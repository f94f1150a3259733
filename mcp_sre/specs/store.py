"""On-disk copies of spec content and of parsed operations.

Layout per source: ``<root>/<name>/meta.json`` points at an immutable ``content-<sha256>`` file.
Content is written first, then the metadata is replaced atomically, so a reader sees either the
old pair or the new pair, never a half-written spec. Parsed operations are pickled next to the
content they came from (one file per service), keyed by its sha256 and a fingerprint of the
parsers that produced them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import pickle
import shutil
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field

from mcp_sre.config import atomic_write, file_lock
from mcp_sre.specs.fetch import sha256_of
from mcp_sre.specs.model import APISpec

__all__ = ["ContentStore", "StoredMeta"]

log = logging.getLogger("mcp_sre.specs.store")


class StoredMeta(BaseModel):
    """What we know about the stored copy of one source."""

    url: str = Field(description="Where the content was fetched from")
    format: str = Field(description="Detected or declared format")
    sha256: str = Field(description="sha256 of the content file")
    size: int = Field(description="Content size in bytes")
    fetched_at: datetime = Field(description="When the content was last confirmed current")
    etag: str | None = Field(default=None, description="Validator for conditional requests")
    last_modified: str | None = Field(default=None, description="HTTP Last-Modified")
    origin: str = Field(default="live", description="live, or snapshot when seeded offline")
    operations: int = Field(default=0, description="Operations parsed from this content")
    last_error: str | None = Field(default=None, description="Why the last refresh failed")


class ContentStore:
    """Spec content, its metadata and parsed operations under one root directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _dir(self, name: str) -> Path:
        return self.root / name

    def meta(self, name: str) -> StoredMeta | None:
        path = self._dir(name) / "meta.json"
        try:
            return StoredMeta.model_validate_json(path.read_bytes())
        except FileNotFoundError:
            return None
        except ValueError as exc:  # corrupt metadata: treat as absent, never crash
            log.warning("ignoring unreadable %s: %s", path, exc)
            return None

    def content(self, name: str, meta: StoredMeta) -> bytes | None:
        path = self._dir(name) / f"content-{meta.sha256}"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        return data if sha256_of(data) == meta.sha256 else None

    def save(self, name: str, content: bytes, meta: StoredMeta) -> None:
        """Store new content and then point the metadata at it; drop older content files."""
        folder = self._dir(name)
        target = folder / f"content-{meta.sha256}"
        if not target.exists():
            atomic_write(target, content)
        self.save_meta(name, meta)
        for old in folder.glob("content-*"):
            if old.name != target.name:
                old.unlink(missing_ok=True)
        for old in folder.glob("parsed-*"):
            if not old.name.startswith(f"parsed-{meta.sha256}"):
                shutil.rmtree(old, ignore_errors=True)

    def save_meta(self, name: str, meta: StoredMeta) -> None:
        atomic_write(self._dir(name) / "meta.json", meta.model_dump_json(indent=2))

    def _parsed_dir(self, name: str, sha256: str, fingerprint: str) -> Path:
        return self._dir(name) / f"parsed-{sha256}-{fingerprint}"

    def load_parsed(self, name: str, sha256: str, fingerprint: str,
                    service: str | None = None) -> list[APISpec] | None:
        """Parsed operations of a source (or of one of its services: a cheap, small read)."""
        folder = self._parsed_dir(name, sha256, fingerprint)
        try:
            services = json.loads((folder / "index.json").read_text())
        except (FileNotFoundError, ValueError):
            return None
        chosen = [service] if service is not None else list(services)
        specs: list[APISpec] = []
        for svc in chosen:
            if svc not in services:
                continue
            try:
                with open(folder / services[svc], "rb") as fh:
                    specs.extend(pickle.load(fh))  # our own file under MCP_SRE_HOME
            except Exception as exc:  # truncated or from another version: re-parse
                log.warning("ignoring unreadable parsed copy of %s: %s", name, exc)
                return None
        return specs

    def save_parsed(self, name: str, sha256: str, fingerprint: str, specs: list[APISpec]) -> None:
        """One pickle per service, so looking up one operation reads one small file. The
        folder appears atomically (written aside, then renamed)."""
        folder = self._parsed_dir(name, sha256, fingerprint)
        if (folder / "index.json").exists():
            return
        by_service: dict[str, list[APISpec]] = {}
        for spec in specs:
            by_service.setdefault(spec.service, []).append(spec)
        tmp = folder.with_name(f".{folder.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        index = {}
        for i, (svc, items) in enumerate(sorted(by_service.items())):
            index[svc] = f"{i:05d}.pkl"
            with open(tmp / index[svc], "wb") as fh:
                pickle.dump(items, fh, protocol=pickle.HIGHEST_PROTOCOL)
        (tmp / "index.json").write_text(json.dumps(index))
        try:
            os.rename(tmp, folder)
        except OSError:  # someone else finished first; theirs is as good as ours
            shutil.rmtree(tmp, ignore_errors=True)
        for old in self._dir(name).glob("parsed-*"):
            if old.name != folder.name and old.name.startswith(f"parsed-{sha256}-"):
                shutil.rmtree(old, ignore_errors=True)

    @contextlib.contextmanager
    def locked(self, name: str) -> Iterator[None]:
        """Hold an exclusive lock on one source across processes (fetch + write)."""
        with file_lock(self._dir(name) / ".lock"):
            yield
