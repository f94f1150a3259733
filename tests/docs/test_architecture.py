"""docs/architecture.md stays true: every path it names in backticks exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
# A path-like name in backticks: a folder or file of the repository (not a command or a glob).
_NAMED = re.compile(r"`((?:mcp_sre|plugins|tests|tool_registry|specs_cache|docs)/[\w./<>-]*)`")


def named_paths() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    found = {m.group(1) for m in _NAMED.finditer(text)}
    return sorted(found)


def exists(path: str) -> bool:
    """``<name>`` stands for any one name: some folder or file must fit the pattern."""
    pattern = re.sub(r"<[^>]+>", "*", path).rstrip("/")
    return any(ROOT.glob(pattern)) if "*" in pattern else (ROOT / pattern).exists()


def test_the_page_names_the_core_packages() -> None:
    names = named_paths()
    for package in ("mcp_sre/server/", "mcp_sre/registry/", "mcp_sre/retrieval/",
                    "mcp_sre/specs/", "mcp_sre/agents/", "mcp_sre/sandbox/"):
        assert package in names


def test_every_named_path_exists() -> None:
    missing = [p for p in named_paths() if not exists(p)]
    assert not missing, f"docs/architecture.md names paths that are gone: {missing}"


def test_every_core_package_is_on_the_page() -> None:
    """A new package under mcp_sre/ gets its room described."""
    names = set(named_paths())
    packages = {f"mcp_sre/{d.name}/" for d in (ROOT / "mcp_sre").iterdir()
                if (d / "__init__.py").is_file()}
    assert packages <= names, f"not on docs/architecture.md: {sorted(packages - names)}"
