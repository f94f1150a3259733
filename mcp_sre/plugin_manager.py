"""One PluginManager per server instance: built-in plugins load through the same entry-point
group (``mcp_sre``) that a third-party plugin uses.

Environment:
- ``MCP_SRE_PLUGINS``: comma-separated entry-point names to load (default: all installed).
- ``MCP_SRE_DISABLE_PLUGINS``: comma-separated names to skip.
- ``MCP_SRE_TRACE_HOOKS=1``: log every hook call at DEBUG level.
"""

from __future__ import annotations

import logging
import os
from importlib.metadata import entry_points

import pluggy

from mcp_sre import hookspecs

__all__ = ["ENTRY_POINT_GROUP", "PluginManager", "installed_plugin_names", "make_plugin_manager"]

ENTRY_POINT_GROUP = "mcp_sre"
log = logging.getLogger("mcp_sre.plugins")


class PluginManager(pluggy.PluginManager):
    """pluggy's manager plus what loading it found: ``failed`` maps each entry point that
    did not import to the reason (each is also logged)."""

    def __init__(self, project_name: str = ENTRY_POINT_GROUP) -> None:
        super().__init__(project_name)
        self.failed: dict[str, str] = {}


def _names(value: str | None) -> set[str] | None:
    if value is None or not value.strip():
        return None
    return {part.strip() for part in value.split(",") if part.strip()}


def installed_plugin_names() -> list[str]:
    return sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))


def make_plugin_manager(
    *,
    only: set[str] | None = None,
    disable: set[str] | None = None,
    extra: list[object] | None = None,
) -> PluginManager:
    """Build a fresh manager. ``only``/``disable`` default to the environment variables;
    ``extra`` registers plugin objects directly (tests, embedding)."""
    pm = PluginManager()
    pm.add_hookspecs(hookspecs)
    only = only if only is not None else _names(os.environ.get("MCP_SRE_PLUGINS"))
    disable = disable if disable is not None else _names(os.environ.get("MCP_SRE_DISABLE_PLUGINS"))
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if (only is not None and ep.name not in only) or (disable and ep.name in disable):
            continue
        if pm.get_plugin(ep.name) is not None:
            continue
        try:
            module = ep.load()
        except Exception as exc:  # a broken plugin must not take the server down
            log.warning("plugin %r failed to load and is skipped: %s: %s",
                        ep.name, type(exc).__name__, exc)
            pm.failed[ep.name] = f"{type(exc).__name__}: {exc}"
            continue
        pm.register(module, name=ep.name)
    for plugin in extra or []:
        pm.register(plugin)
    pm.check_pending()
    if os.environ.get("MCP_SRE_TRACE_HOOKS"):
        pm.add_hookcall_monitoring(
            lambda name, impls, kw: log.debug("hook %s -> %s", name, [i.plugin_name for i in impls]),
            lambda outcome, name, impls, kw: log.debug("hook %s done", name),
        )
    return pm
