"""The starter library reaches a wheel install: pyproject ships every tool file as data files,
and a new default registry gets the shipped tools copied in once (no overwrite, no
resurrection of a removed tool, an opt-out)."""

from __future__ import annotations

import json
import shutil
import sys
import tomllib
from pathlib import Path

import pytest

from mcp_sre import config
from mcp_sre.config import Settings, load_settings
from mcp_sre.registry import RegisteredTool, ToolRegistry
from mcp_sre.registry.starter import MARKER, copy_starter_tools, install_starter_tools
from mcp_sre.registry.store import RegistryStore

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "tool_registry"
SHIPPED_NAMES = RegistryStore(SHIPPED).names()
USER_CODE = "def main() -> dict:\n    return {'mine': True}\n"


def _tool_files(root: Path) -> set[str]:
    """What a tool library holds: every file of every tool folder, nothing else."""
    return {p.relative_to(root).as_posix() for name in RegistryStore(root).names()
            for p in (root / name).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")}


@pytest.fixture
def prefix(tmp_path: Path) -> Path:
    """A copy of the library where a wheel puts it, with what pip and use leave beside it."""
    shipped = tmp_path / "prefix" / "share" / "mcp-sre" / "tool_registry"
    shutil.copytree(SHIPPED, shipped, ignore=shutil.ignore_patterns(".removed", "__pycache__"))
    (shipped / ".lock").touch()
    (shipped / "stats.sqlite").write_bytes(b"not a tool")
    (shipped / ".removed" / "old_tool").mkdir(parents=True)
    (shipped / SHIPPED_NAMES[0] / "v1" / "__pycache__").mkdir()
    (shipped / SHIPPED_NAMES[0] / "v1" / "__pycache__" / "tool.cpython-311.pyc").write_bytes(b"")
    return tmp_path / "prefix"


@pytest.fixture
def starter_settings(home: Path, prefix: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings as a wheel install sees them: no checkout, the library under sys.prefix."""
    monkeypatch.delenv("MCP_SRE_NO_STARTER_TOOLS", raising=False)
    monkeypatch.delenv("MCP_SRE_REGISTRY_DIR", raising=False)
    monkeypatch.setattr(config, "PROJECT_ROOT", home.parent / "no-checkout")
    monkeypatch.setattr(sys, "prefix", str(prefix))
    return load_settings(home=home)


def test_pyproject_ships_every_tool_file() -> None:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = set()
    for dest, patterns in data["tool"]["setuptools"]["data-files"].items():
        if dest.startswith("share/mcp-sre/tool_registry/"):
            for pattern in patterns:
                for path in ROOT.glob(pattern):
                    assert Path(dest) == Path("share/mcp-sre") / path.parent.relative_to(ROOT)
                    shipped.add(path.relative_to(SHIPPED).as_posix())
    missing = sorted(_tool_files(SHIPPED) - shipped)
    assert not missing, f"add [tool.setuptools.data-files] entries for: {missing}"
    assert shipped == _tool_files(SHIPPED)
    assert len(SHIPPED_NAMES) >= 20


def test_wheel_layout_is_found_and_seeds_the_default_registry(
        starter_settings: Settings, prefix: Path, home: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    assert starter_settings.starter_dir == prefix / "share" / "mcp-sre" / "tool_registry"
    assert starter_settings.registry_dir == home / "tool_registry"
    with caplog.at_level("INFO", logger="mcp_sre.registry"):
        registry = ToolRegistry(starter_settings)
    assert sorted(s.name for s in registry.list(include_deprecated=True)) == SHIPPED_NAMES
    shipped = RegistryStore(SHIPPED)
    for name in SHIPPED_NAMES:
        tool = registry.get(name)
        assert isinstance(tool, RegisteredTool) and tool == shipped.load(name)
    assert _tool_files(home / "tool_registry") == _tool_files(SHIPPED)
    leftovers = [p.name for p in (home / "tool_registry").rglob("*")
                 if p.name in {"__pycache__", "stats.sqlite", ".removed"} or p.suffix == ".tmp"]
    assert leftovers == []
    assert json.loads((home / "tool_registry" / MARKER).read_text())["tools"] == SHIPPED_NAMES
    assert f"installed {len(SHIPPED_NAMES)} starter tools" in caplog.text


def test_a_second_open_copies_nothing_and_a_removed_tool_stays_removed(
        starter_settings: Settings) -> None:
    registry = ToolRegistry(starter_settings)
    registry.remove(SHIPPED_NAMES[0])
    assert install_starter_tools(starter_settings) == []
    again = ToolRegistry(starter_settings)
    assert again.store.names() == SHIPPED_NAMES[1:]
    for name in again.store.names():  # the user removes every starter tool: none come back
        again.remove(name)
    assert ToolRegistry(starter_settings).store.names() == []


def test_a_user_tool_with_the_same_name_is_left_untouched(
        starter_settings: Settings) -> None:
    store = RegistryStore(Path(starter_settings.registry_dir))
    name = SHIPPED_NAMES[0]
    store.add_version(RegistryStore(SHIPPED).load(name).model_copy(update={"code": USER_CODE}))
    before = {p: p.read_bytes() for p in (store.root / name).rglob("*") if p.is_file()}

    copied = copy_starter_tools(store, Path(starter_settings.starter_dir))
    assert copied == SHIPPED_NAMES[1:]
    assert {p: p.read_bytes() for p in (store.root / name).rglob("*") if p.is_file()} == before
    assert store.versions(name) == [1] and store.load(name).code == USER_CODE


def test_a_registry_that_already_has_tools_is_not_seeded(starter_settings: Settings) -> None:
    store = RegistryStore(Path(starter_settings.registry_dir))
    store.add_version(RegistryStore(SHIPPED).load(SHIPPED_NAMES[1])
                      .model_copy(update={"name": "my_own_tool", "code": USER_CODE}))
    assert install_starter_tools(starter_settings) == []
    assert store.names() == ["my_own_tool"]
    assert (store.root / MARKER).is_file()  # decided once: emptying it later seeds nothing


def test_the_opt_out(home: Path, starter_settings: Settings,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MCP_SRE_NO_STARTER_TOOLS", "1")
    settings = load_settings(home=home)
    assert settings.starter_tools is False
    assert ToolRegistry(settings).list() == []
    assert not (home / "tool_registry" / MARKER).exists()  # turning it back on still seeds
    monkeypatch.delenv("MCP_SRE_NO_STARTER_TOOLS")
    (home / "config.yaml").write_text("starter_tools: false\n", encoding="utf-8")
    assert install_starter_tools(load_settings(home=home)) == []


def test_explicit_and_shipped_registry_dirs_are_never_seeded(
        home: Path, tmp_path: Path, starter_settings: Settings) -> None:
    explicit = starter_settings.model_copy(update={"registry_dir": tmp_path / "elsewhere"})
    assert install_starter_tools(explicit) == []
    assert not (tmp_path / "elsewhere").exists()
    shipped = Path(starter_settings.starter_dir)
    into_itself = starter_settings.model_copy(update={"home": shipped.parent,
                                                      "registry_dir": shipped})
    files = sorted(p.name for p in shipped.iterdir())
    assert install_starter_tools(into_itself) == []
    assert sorted(p.name for p in shipped.iterdir()) == files


def test_a_user_install_finds_the_library_under_the_user_base(
    home: Path, prefix: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`pip install --user` puts the data files under the user base, not sys.prefix."""
    import site

    monkeypatch.setattr(config, "PROJECT_ROOT", home.parent / "no-checkout")
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "empty-prefix"))
    monkeypatch.setattr(site, "getuserbase", lambda: str(prefix))
    assert load_settings(home=home).starter_dir == prefix / "share" / "mcp-sre" / "tool_registry"
