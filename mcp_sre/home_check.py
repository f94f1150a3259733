"""Start-up check of ``MCP_SRE_HOME``: a server whose home cannot hold files would start and
then fail every call with raw errno or sqlite errors (and a run could fail *after* its cloud
reads succeeded, when the audit log write failed). Refuse at start with one clear message.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from mcp_sre.errors import McpSreError

__all__ = ["HomeError", "check_home"]

_KERNEL_FS = ("/proc", "/sys", "/dev")


class HomeError(McpSreError):
    """``MCP_SRE_HOME`` cannot be used (not a directory, read-only, a kernel filesystem)."""


def check_home(home: Path | str) -> Path:
    """Create ``home`` if needed and prove a file can be written, renamed and removed there
    (what the registry, the audit log and the stats database do). Returns the resolved path."""
    path = Path(home).expanduser()
    hint = "set MCP_SRE_HOME to a writable directory (default: ~/.local/share/mcp-sre)"
    resolved = path.resolve(strict=False)
    if any(str(resolved) == fs or str(resolved).startswith(fs + "/") for fs in _KERNEL_FS):
        raise HomeError(f"MCP_SRE_HOME={path} is on a kernel filesystem ({resolved})",
                        hint=hint)
    if path.exists() and not path.is_dir():
        raise HomeError(f"MCP_SRE_HOME={path} is a file, not a directory", hint=hint)
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-check-", dir=path)
        try:
            os.write(fd, b"ok")
            os.fsync(fd)
        finally:
            os.close(fd)
        renamed = probe + ".done"
        os.replace(probe, renamed)
        os.unlink(renamed)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise HomeError(f"MCP_SRE_HOME={path} is not writable: {reason}", hint=hint) from None
    return resolved
