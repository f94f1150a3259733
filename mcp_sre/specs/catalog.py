"""The spec catalog: every operation of every source, fetched live, cached with a TTL.

Reading a source goes: fresh cached copy -> use it (no request); expired -> conditional request
(304 reuses the copy); new content -> parsed before it replaces the old copy; network down or bad
new content -> keep serving the old copy and say it is stale; nothing cached and offline -> the
shipped snapshot. Concurrent refreshes of one source are coalesced (a thread lock inside the
process, a file lock across processes).
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

import mcp_sre
from mcp_sre.config import Settings, load_settings
from mcp_sre.errors import NotFoundError, SpecError, SpecFetchError, ValidationError
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.specs.fetch import FetchedContent, fetch_source, sha256_of
from mcp_sre.specs.model import APISpec, SourceInfo, SpecSource
from mcp_sre.specs.parse import detect_format, parse_content
from mcp_sre.specs.sources import SourceRegistry
from mcp_sre.specs.store import ContentStore, StoredMeta

if TYPE_CHECKING:
    import pluggy

__all__ = ["Document", "SourceStatus", "SpecCatalog"]

log = logging.getLogger("mcp_sre.specs")
Progress = Callable[[int, int, str], None]


class Document(BaseModel):
    """A source's current content as the catalog will serve it."""

    source: SpecSource
    meta: StoredMeta
    content: bytes = Field(repr=False)
    stale: bool = Field(description="Older than the TTL, or the last refresh failed")


class SourceStatus(BaseModel):
    """One line of ``mcp-sre specs list``."""

    name: str = Field(description="Source name")
    provider: str = Field(description="Provider of its operations")
    format: str | None = Field(description="Spec format (None until first fetched)")
    url: str = Field(description="Live location")
    default: bool = Field(description="Synced and indexed by default")
    operations: int = Field(default=0, description="Operations parsed (0 if never fetched)")
    fetched_at: datetime | None = Field(default=None, description="When last confirmed current")
    origin: str | None = Field(default=None, description="live or snapshot")
    stale: bool = Field(default=False, description="Expired, or the last refresh failed")
    error: str | None = Field(default=None, description="Why the last refresh failed")


def _parser_fingerprint(pm: pluggy.PluginManager) -> str:
    """Changes whenever a format/cloud plugin's code changes, so parsed copies are redone."""
    h = hashlib.sha256(mcp_sre.__version__.encode())
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda kv: str(kv[0])):
        h.update(str(name).encode())
        module = sys.modules.get(getattr(plugin, "__name__", ""))
        folder = Path(getattr(module, "__file__", "") or ".").parent if module else None
        if folder and folder.is_dir():
            for py in sorted(folder.rglob("*.py")):
                st = py.stat()
                h.update(f"{py.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    for core in ("parse.py", "model.py"):
        st = (Path(__file__).parent / core).stat()
        h.update(f"{core}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


class SpecCatalog:
    """Sources, their cached content, and their parsed operations."""

    def __init__(self, settings: Settings | None = None, pm: pluggy.PluginManager | None = None):
        self.settings = settings or load_settings()
        self.pm = pm or make_plugin_manager()
        self.registry = SourceRegistry(self.pm, self.settings)
        self.store = ContentStore(self.settings.cache_dir / "specs")
        self._fingerprint = _parser_fingerprint(self.pm)
        self._ops: dict[str, list[APISpec]] = {}
        self._by_id: dict[str, APISpec] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    # ---------------------------------------------------------------- sources
    def sources(self) -> list[SpecSource]:
        return self.registry.all()

    def _lock(self, name: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(name, threading.Lock())

    def _expired(self, meta: StoredMeta, max_age_hours: float) -> bool:
        return datetime.now(UTC) - meta.fetched_at > timedelta(hours=max_age_hours)

    # ---------------------------------------------------------------- content
    def document(
        self, name: str, *, max_age_hours: float | None = None, offline: bool | None = None,
    ) -> Document:
        """The content to serve for ``name``, refreshed if older than ``max_age_hours``."""
        source = self.registry.get(name)
        ttl = self.settings.max_age_hours if max_age_hours is None else max_age_hours
        offline = self.settings.offline if offline is None else offline
        fresh = self._fresh_copy(source, ttl)
        if fresh is not None:
            return fresh
        with self._lock(name), self.store.locked(name):
            # Another thread or process may have refreshed it while we waited.
            fresh = self._fresh_copy(source, ttl)
            if fresh is not None:
                return fresh
            meta = self._stored_meta(source)
            content = self.store.content(name, meta) if meta else None
            if offline and source.url.startswith(("http://", "https://")):
                if meta and content is not None:
                    return Document(source=source, meta=meta, content=content, stale=True)
                return self._seed_from_snapshot(source, None)
            return self._refresh(source, meta if content is not None else None, content)

    def _stored_meta(self, source: SpecSource) -> StoredMeta | None:
        """The stored copy's record, when it is a copy of the source's document: a source
        whose URL changed (a new release points a default source elsewhere, ``--replace``)
        must not keep serving the old document under its name."""
        meta = self.store.meta(source.name)
        return meta if meta is not None and meta.url == source.url else None

    def _fresh_copy(self, source: SpecSource, ttl: float) -> Document | None:
        """The stored copy if it is younger than ``ttl`` and intact, else None."""
        meta = self._stored_meta(source)
        if meta is None or self._expired(meta, ttl):
            return None
        content = self.store.content(source.name, meta)
        if content is None:
            return None
        return Document(source=source, meta=meta, content=content,
                        stale=meta.last_error is not None)

    def _refresh(self, source: SpecSource, meta: StoredMeta | None, old: bytes | None) -> Document:
        try:
            fetched = fetch_source(
                source, pm=self.pm, etag=meta.etag if meta else None,
                last_modified=meta.last_modified if meta else None,
                max_bytes=self.settings.max_spec_bytes, timeout_s=self.settings.http_timeout_s,
            )
        except SpecFetchError as exc:
            return self._keep_old(source, meta, old, exc)
        if meta and old is not None and (fetched.not_modified or
                                         sha256_of(fetched.content) == meta.sha256):
            meta = meta.model_copy(update={
                "fetched_at": fetched.fetched_at, "last_error": None,
                "etag": fetched.etag or meta.etag,
                "last_modified": fetched.last_modified or meta.last_modified,
            })
            self.store.save_meta(source.name, meta)
            return Document(source=source, meta=meta, content=old, stale=False)
        if fetched.not_modified:  # the server says 304 but we lost our copy: fetch fully
            fetched = fetch_source(source, pm=self.pm, max_bytes=self.settings.max_spec_bytes,
                                   timeout_s=self.settings.http_timeout_s)
        try:
            return self._accept(source, fetched, origin="live")
        except SpecError as exc:
            return self._keep_old(source, meta, old, exc)

    def _accept(self, source: SpecSource, fetched: FetchedContent, origin: str,
                last_error: str | None = None) -> Document:
        """Parse new content; only content that parses replaces the stored copy."""
        content = fetched.content
        digest = sha256_of(content)
        fmt = detect_format(self.pm, content, source)
        info = SourceInfo(name=source.name, url=fetched.url, format=fmt,
                          fetched_at=fetched.fetched_at, etag=fetched.etag, sha256=digest)
        specs = parse_content(self.pm, content, source, info)
        meta = StoredMeta(url=fetched.url, format=fmt, sha256=digest, size=len(content),
                          fetched_at=fetched.fetched_at, etag=fetched.etag,
                          last_modified=fetched.last_modified, origin=origin,
                          operations=len(specs), last_error=last_error)
        self.store.save(source.name, content, meta)
        self.store.save_parsed(source.name, digest, self._fingerprint, specs)
        self._install(source.name, specs)
        return Document(source=source, meta=meta, content=content,
                        stale=last_error is not None)

    def _keep_old(self, source: SpecSource, meta: StoredMeta | None, old: bytes | None,
                  exc: SpecError) -> Document:
        # warn only when carrying on with older content: an error that is raised is shown
        # once, by whoever catches it (the CLI printed it twice)
        if meta and old is not None:
            log.warning("%s (serving the copy fetched %s)", exc, meta.fetched_at)
            meta = meta.model_copy(update={"last_error": str(exc)})
            self.store.save_meta(source.name, meta)
            return Document(source=source, meta=meta, content=old, stale=True)
        return self._seed_from_snapshot(source, exc)

    def _seed_from_snapshot(self, source: SpecSource, exc: SpecError | None) -> Document:
        path = self._snapshot_path(source)
        if path is None:
            if exc is not None:
                raise exc
            raise SpecFetchError(source.name, "offline, and no cached copy or shipped snapshot",
                                 hint="run `mcp-sre specs sync` with network access")
        if exc is not None:
            log.warning("%s (serving the shipped snapshot)", exc)
        fetched = FetchedContent(content=path.read_bytes(), url=source.url)
        return self._accept(source, fetched, origin="snapshot",
                            last_error=str(exc) if exc else None)

    def _snapshot_path(self, source: SpecSource) -> Path | None:
        """The gathering folder (specs_cache/, MCP_SRE_SNAPSHOT_DIR) first, then the plugin's own."""
        if not source.snapshot:
            return None
        homes = [self.settings.snapshot_dir, *([Path(source.snapshot_home)]
                                               if source.snapshot_home else [])]
        return next((h / source.snapshot for h in homes if (h / source.snapshot).is_file()), None)

    # ------------------------------------------------------------- operations
    def _install(self, name: str, specs: list[APISpec]) -> None:
        with self._guard:
            lost = {old.id for old in self._ops.get(name, []) if self._by_id.get(old.id) is old}
            for op_id in lost:
                del self._by_id[op_id]
            self._ops[name] = specs
            self._hold(name, specs)
            if lost:  # ids this source no longer has: another source may still answer
                for other, held in self._ops.items():
                    if other != name:
                        self._hold(other, [s for s in held if s.id in lost])

    def _hold(self, name: str, specs: list[APISpec]) -> None:
        """Answer ``get`` for these ids from ``name`` unless a source that shadows it already
        does (the caller holds the guard)."""
        rank = self.registry.rank(name)
        for spec in specs:
            held = self._by_id.get(spec.id)
            if held is None or rank < self.registry.rank(held.source.name):
                self._by_id[spec.id] = spec

    def operations(self, name: str, *, max_age_hours: float | None = None,
                   offline: bool | None = None) -> list[APISpec]:
        """Parsed operations of one source (fetching it if needed)."""
        doc = self.document(name, max_age_hours=max_age_hours, offline=offline)
        cached = self._ops.get(name)
        if cached and cached[0].source.sha256 == doc.meta.sha256:
            return cached
        specs = self.store.load_parsed(name, doc.meta.sha256, self._fingerprint)
        if specs is None:
            info = SourceInfo(name=name, url=doc.meta.url, format=doc.meta.format,
                              fetched_at=doc.meta.fetched_at, etag=doc.meta.etag,
                              sha256=doc.meta.sha256)
            specs = parse_content(self.pm, doc.content, doc.source, info)
            self.store.save_parsed(name, doc.meta.sha256, self._fingerprint, specs)
        self._install(name, specs)
        return specs

    def iter_operations(self, names: Iterable[str] | None = None) -> Iterator[APISpec]:
        """Every operation of the given sources (default: the default sources)."""
        for name in names if names is not None else [s.name for s in self.registry.defaults()]:
            yield from self.operations(name)

    def digest(self, name: str) -> str:
        """sha256 of a source's current content: changes exactly when re-indexing is needed."""
        return self.document(name).meta.sha256

    def service_operations(self, name: str, service: str) -> list[APISpec]:
        """Operations of one service of a source: reads only that service's parsed copy."""
        cached = self._ops.get(name)
        if cached is None:
            doc = self.document(name)
            specs = self.store.load_parsed(name, doc.meta.sha256, self._fingerprint, service)
            if specs is not None:
                with self._guard:
                    self._hold(name, specs)
                return specs
            cached = self.operations(name)
        return [s for s in cached if s.service == service]

    def get(self, op_id: str) -> APISpec:
        """One operation by ``provider/service/operation``."""
        provider, _, rest = op_id.partition("/")
        service = rest.partition("/")[0]
        sources = self.registry.for_provider(provider)
        held = self._by_id.get(op_id)
        if held is not None and (not sources or self.registry.rank(held.source.name)
                                 <= self.registry.rank(sources[0].name)):
            return held  # no source that shadows this one is left to ask
        if not sources:
            providers = sorted({s.provider for s in self.registry.all()})
            raise NotFoundError(f"unknown provider {provider!r} in {op_id!r}",
                                hint=f"known providers: {', '.join(providers)}")
        problems = []
        for source in sources:
            try:
                if service:
                    self.service_operations(source.name, service)
                if op_id not in self._by_id:
                    self.operations(source.name)
            except SpecError as exc:
                problems.append(str(exc))
            if op_id in self._by_id:
                return self._by_id[op_id]
        ids = [i for i in self._by_id if i.startswith(provider + "/")]
        close = difflib.get_close_matches(op_id, ids, n=3, cutoff=0.75) if len(ids) < 5000 else [
            i for i in ids if i.lower().endswith("/" + op_id.rsplit("/", 1)[-1].lower())][:3]
        hint = f"did you mean: {', '.join(close)}" if close else (
            "; ".join(problems) or "search with `mcp-sre search` or the search_apis tool")
        raise NotFoundError(f"no operation {op_id!r}", hint=hint)

    def get_or_fetch(self, provider: str, service: str, operation: str,
                     max_age_hours: float = 24) -> APISpec:
        """The issue's lookup shape: one operation, its source refreshed if older than the TTL."""
        op_id = APISpec.make_id(provider, service, operation)
        for source in self.registry.for_provider(provider):
            try:
                self.operations(source.name, max_age_hours=max_age_hours)
            except SpecError as exc:
                log.warning("%s", exc)
        return self.get(op_id)

    # ----------------------------------------------------------------- status
    def status(self, names: Iterable[str] | None = None) -> list[SourceStatus]:
        chosen = [self.registry.get(n) for n in names] if names else self.registry.all()
        rows = []
        for source in chosen:
            meta = self.store.meta(source.name)
            rows.append(SourceStatus(
                name=source.name, provider=source.provider,
                format=meta.format if meta else source.format, url=source.url,
                default=source.default, operations=meta.operations if meta else 0,
                fetched_at=meta.fetched_at if meta else None,
                origin=meta.origin if meta else None,
                stale=bool(meta and (meta.last_error or self._expired(
                    meta, self.settings.max_age_hours))),
                error=meta.last_error if meta else None,
            ))
        return rows

    def sync(self, names: Iterable[str] | None = None, *, offline: bool | None = None,
             max_age_hours: float | None = None, progress: Progress | None = None,
             ) -> list[SourceStatus]:
        """Bring sources up to date; a failing source is reported, not raised."""
        chosen = list(names) if names else [s.name for s in self.registry.defaults()]
        rows = []
        for i, name in enumerate(chosen):
            self.registry.get(name)
            if progress:
                progress(i, len(chosen), f"syncing {name}")
            try:
                self.operations(name, max_age_hours=max_age_hours, offline=offline)
                rows.extend(self.status([name]))
            except SpecError as exc:
                row = self.status([name])[0]
                rows.append(row.model_copy(update={"error": str(exc), "stale": True}))
        if progress:
            progress(len(chosen), len(chosen), "done")
        return rows

    def add_source(self, source: SpecSource, *, replace: bool = False) -> SourceStatus:
        """Validate a new source by fetching and parsing it, then persist it.

        A name that exists is replaced only with ``replace=True``; the new content must then
        come from the new source itself (a copy kept from the old one is not success)."""
        try:
            existing: SpecSource | None = self.registry.get(source.name)
        except NotFoundError:
            existing = None
        if existing is not None and not replace:
            raise ValidationError(f"a spec source named {source.name!r} exists already "
                                  f"({existing.url})",
                                  hint="pass --replace to replace it, or pick another name")
        with self.registry.trial(source):
            doc = self.document(source.name, max_age_hours=0)
            if doc.stale:
                raise SpecFetchError(source.name, f"cannot use {source.url}: "
                                     f"{doc.meta.last_error or 'no fresh content'}")
            self.operations(source.name, max_age_hours=0)
        self.registry.add(source)
        return self.status([source.name])[0]
