"""The starter library: the tools shipped in ``tool_registry/`` (a checkout) or
``<prefix>/share/mcp-sre/tool_registry`` (a wheel) are copied into a new user's registry on
first use, so a pipx/uvx install starts with them instead of with nothing.

Only the default registry (``$MCP_SRE_HOME/tool_registry``) is seeded, and only once: a
registry folder given explicitly (``MCP_SRE_REGISTRY_DIR``: tests, the demo, benchmarks,
``seed.py``) is used exactly as given. The first time the default registry is opened, the
marker file ``.starter_tools`` is written, so a starter tool the user removed
(``mcp-sre tools rm``) is not brought back on the next start. Each tool folder is copied
under a temporary name next to its final place and renamed in, so a reader never sees half a
tool, and a tool already in the registry is never overwritten or merged into.
``starter_tools: false`` in config.yaml or ``MCP_SRE_NO_STARTER_TOOLS=1`` turns this off.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

from mcp_sre.config import Settings, atomic_write
from mcp_sre.registry.models import utcnow
from mcp_sre.registry.store import RegistryStore

__all__ = ["MARKER", "copy_starter_tools", "install_starter_tools"]

log = logging.getLogger("mcp_sre.registry")

MARKER = ".starter_tools"
# what a tool folder may hold besides its files: never shipped, never copied
_IGNORE = shutil.ignore_patterns(".*", "__pycache__", "*.pyc", "*.tmp", "*.sqlite*")


def copy_starter_tools(store: RegistryStore, shipped: Path) -> list[str]:
    """Copy every tool of ``shipped`` whose name is free in ``store``; returns the names
    copied. A name already present (the user's own tool, or anything in its folder) is
    skipped, never overwritten."""
    copied = []
    with store.locked():
        for name in RegistryStore(shipped).names():
            final = store.root / name
            if final.exists():
                continue
            tmp = store.root / f".{name}.starter.{os.getpid()}.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            try:
                shutil.copytree(shipped / name, tmp, ignore=_IGNORE)
                os.rename(tmp, final)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            copied.append(name)
    return copied


def _same_dir(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


def install_starter_tools(settings: Settings, store: RegistryStore | None = None) -> list[str]:
    """On the first use of the default registry, copy the starter library in if the registry
    has no tools; returns the names copied (none on every later call). Failing to copy is
    logged, never raised: the registry works without its starter tools."""
    root = Path(settings.registry_dir)  # type: ignore[arg-type]
    shipped = Path(settings.starter_dir)
    if (not settings.starter_tools or (root / MARKER).exists()
            or not _same_dir(root, Path(settings.home) / "tool_registry")
            or not shipped.is_dir() or _same_dir(root, shipped)):
        return []
    store = store or RegistryStore(root)
    try:
        with store.locked():
            if (root / MARKER).exists():  # another process was first
                return []
            copied = [] if store.names() else copy_starter_tools(store, shipped)
            record = {"installed_at": f"{utcnow():%Y-%m-%dT%H:%M:%SZ}", "source": str(shipped),
                      "tools": copied}
            atomic_write(root / MARKER, json.dumps(record, indent=2) + "\n")
    except OSError as exc:
        log.warning("could not install the starter tools into %s: %s", root, exc)
        return []
    if copied:
        log.info("installed %d starter tools into %s (MCP_SRE_NO_STARTER_TOOLS=1 turns this "
                 "off; a removed tool stays removed)", len(copied), root)
    return copied
