"""The source registry: built-in sources from cloud plugins, overridden by the user's own.

User sources live in ``$MCP_SRE_HOME/config.yaml`` under ``sources:``; ``mcp-sre specs add``
writes there atomically. A user source with a built-in's name replaces it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError as PydanticValidationError

from mcp_sre.config import Settings, atomic_write
from mcp_sre.errors import NotFoundError, SpecError, ValidationError
from mcp_sre.hookspecs import hookimpl
from mcp_sre.specs.model import SpecSource

if TYPE_CHECKING:
    import pluggy

__all__ = ["SNAPSHOT_FOLDER", "SourceRegistry", "doc_sources_hook", "owned_snapshot",
           "sources_from_package"]

_NAME = re.compile(r"\A[a-z0-9][a-z0-9_.-]{0,63}\Z")
SNAPSHOT_FOLDER = "specs"  # a plugin's own snapshots, beside its doc_sources.yaml


def owned_snapshot(source: SpecSource, package_dir: Path) -> SpecSource:
    """``source`` with ``snapshot_home`` set when ``package_dir/specs/`` holds its snapshot."""
    home = package_dir / SNAPSHOT_FOLDER
    if source.snapshot and (home / source.snapshot).is_file():
        return source.model_copy(update={"snapshot_home": str(home)})
    return source


def sources_from_package(package: str, filename: str = "doc_sources.yaml") -> list[SpecSource]:
    """Read a plugin's shipped ``doc_sources.yaml``; a broken file names the entry at fault."""
    where = f"{package}/{filename}"
    data = yaml.safe_load(resources.files(package).joinpath(filename).read_text("utf-8"))
    entries = (data or {}).get("sources") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise SpecError(where, "expected a top-level 'sources:' list")
    sources: list[SpecSource] = []
    package_dir = Path(str(resources.files(package)))
    for i, entry in enumerate(entries):
        try:
            sources.append(owned_snapshot(SpecSource.model_validate(entry), package_dir))
        except PydanticValidationError as exc:
            raise SpecError(where, f"entry {i} is invalid: {exc.errors()[0]['msg']}") from exc
    return sources


def doc_sources_hook(package: str) -> Callable[[Callable[[SpecSource], None]], None]:
    """The ``register_doc_sources`` hookimpl of a plugin whose sources are all listed in its
    ``doc_sources.yaml`` (``register_doc_sources = doc_sources_hook(__name__)``)."""

    @hookimpl
    def register_doc_sources(register: Callable[[SpecSource], None]) -> None:
        for source in sources_from_package(package):
            register(source)

    return register_doc_sources


class SourceRegistry:
    """All spec sources known to one server instance, by name."""

    def __init__(self, pm: pluggy.PluginManager, settings: Settings) -> None:
        self.pm = pm
        self.settings = settings
        self._sources: dict[str, SpecSource] = {}
        pm.hook.register_doc_sources(register=self._register_builtin)
        for entry in settings.sources:
            known = self._sources.get(entry.get("name")) if isinstance(entry, dict) else None
            if known is not None:  # a built-in overridden by name: only the fields given change
                entry = {**known.model_dump(), **entry}
            source = self._validate(entry)
            self._sources[source.name] = source

    def _register_builtin(self, source: SpecSource) -> None:
        if not isinstance(source, SpecSource):
            source = SpecSource.model_validate(source)
        if source.name in self._sources:
            raise ValidationError(f"two plugins register the spec source {source.name!r}")
        self._sources[source.name] = source

    @staticmethod
    def _validate(entry: dict[str, Any] | SpecSource) -> SpecSource:
        try:
            source = SpecSource.model_validate(entry)
        except Exception as exc:
            raise ValidationError(f"invalid spec source {entry!r}: {exc}") from exc
        if not _NAME.match(source.name):
            raise ValidationError(
                f"invalid source name {source.name!r}",
                hint="use lower-case letters, digits, '.', '_' or '-' (max 64)",
            )
        return source

    def all(self) -> list[SpecSource]:
        return sorted(self._sources.values(), key=lambda s: s.name)

    def defaults(self) -> list[SpecSource]:
        return [s for s in self.all() if s.default]

    def get(self, name: str) -> SpecSource:
        try:
            return self._sources[name]
        except KeyError:
            known = ", ".join(sorted(self._sources)) or "none"
            raise NotFoundError(f"no spec source named {name!r}; known: {known}") from None

    def for_provider(self, provider: str) -> list[SpecSource]:
        """A provider's sources, those that shadow others (and are on by default) first: an
        operation id found in both is answered by the shadowing source."""
        return sorted((s for s in self.all() if s.provider == provider),
                      key=lambda s: (self.rank(s.name), s.name))

    def rank(self, name: str) -> int:
        """0 for a default source that shadows others, 1 for any other (lower answers first)."""
        source = self._sources.get(name)
        return 0 if source is not None and source.default and source.shadows else 1

    def add(self, source: SpecSource | dict[str, Any]) -> SpecSource:
        """Add or replace a user source and persist it in the config file."""
        source = self._validate(source)
        path = self.settings.config_file
        data: dict[str, Any] = {}
        if path.exists():
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            data = loaded if isinstance(loaded, dict) else {}
        entries = [e for e in data.get("sources") or [] if e.get("name") != source.name]
        entries.append(source.model_dump(exclude_defaults=True))
        data["sources"] = entries
        atomic_write(path, yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
        self._sources[source.name] = source
        return source

    @contextlib.contextmanager
    def trial(self, source: SpecSource) -> Iterator[SpecSource]:
        """Make ``source`` visible for a check; put back what was there if the check fails."""
        source = self._validate(source)
        previous = self._sources.get(source.name)
        self._sources[source.name] = source
        try:
            yield source
        except BaseException:
            if previous is None:
                self._sources.pop(source.name, None)
            else:
                self._sources[source.name] = previous
            raise
