"""Guest-side modules, shipped as files and mapped read-only into the sandbox at ``/sre``.

The host never imports them: :func:`guest_sources` reads their text. ``sre`` is the public
guest API (``sre.call``, ``sre.paginate``, ``sre.result``...); ``_sre_boot`` is the entry point
that receives the program over the bridge, installs the output streams and runs it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["BOOT_MODULE", "RESERVED", "guest_sources"]

BOOT_MODULE = "_sre_boot"
RESERVED = frozenset({"sre", BOOT_MODULE})  # plugin shims may not replace these
_HERE = Path(__file__).parent


def guest_sources() -> dict[str, str]:
    """``{module name: source}`` of the core guest modules."""
    return {name: (_HERE / f"{name}.py").read_text(encoding="utf-8") for name in sorted(RESERVED)}
