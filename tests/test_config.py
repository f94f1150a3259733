"""Settings: keyword overrides over MCP_SRE_* over $MCP_SRE_HOME/config.yaml over defaults;
atomic writes and the cross-process lock."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from mcp_sre.config import atomic_write, file_lock, load_settings


def test_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("MCP_SRE_MAX_AGE_HOURS", "MCP_SRE_OFFLINE", "MCP_SRE_NO_STARTER_TOOLS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MCP_SRE_HOME", str(tmp_path))
    assert load_settings().max_age_hours == 24.0 and load_settings().offline is False
    (tmp_path / "config.yaml").write_text("max_age_hours: 6\noffline: true\n")
    settings = load_settings()
    assert settings.home == tmp_path and settings.max_age_hours == 6 and settings.offline
    monkeypatch.setenv("MCP_SRE_MAX_AGE_HOURS", "2")
    monkeypatch.setenv("MCP_SRE_OFFLINE", "no")
    assert load_settings().max_age_hours == 2 and load_settings().offline is False
    assert load_settings(max_age_hours=1).max_age_hours == 1
    monkeypatch.setenv("MCP_SRE_NO_STARTER_TOOLS", "1")
    assert load_settings().starter_tools is False
    assert load_settings().cache_dir == tmp_path / "cache"


def test_a_config_file_that_is_not_a_mapping_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("- just\n- a list\n")
    assert load_settings(home=tmp_path).max_age_hours == 24.0


def test_atomic_write_replaces_whole_files(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "file.json"
    atomic_write(target, "old")
    atomic_write(target, b"new")
    assert target.read_text() == "new"
    assert [p.name for p in target.parent.iterdir()] == ["file.json"]  # no temp files left


_HOLD = """
import sys, time
from pathlib import Path
from mcp_sre.config import file_lock
with file_lock(Path(sys.argv[1])):
    time.sleep(float(sys.argv[2]))
"""


def test_file_lock_excludes_another_process(tmp_path: Path) -> None:
    # A separate interpreter (not multiprocessing): it must not need to import the tests package.
    lock = tmp_path / "locks" / ".lock"
    other = subprocess.Popen([sys.executable, "-c", _HOLD, str(lock), "1.0"])
    deadline = time.monotonic() + 30
    while not lock.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    started = time.monotonic()
    with file_lock(lock):
        waited = time.monotonic() - started
    assert other.wait(timeout=30) == 0
    assert waited > 0.3


def test_registered_tools_default_to_the_users_data_dir(tmp_path, monkeypatch) -> None:
    """Issue 20 item 12: running from a checkout (an editable install), new tools went into
    the repository's tool_registry/; the user's data dir is the default, the repository's
    folder only when named (the starter-library seeding names it)."""
    from mcp_sre.config import PROJECT_ROOT, load_settings

    monkeypatch.delenv("MCP_SRE_REGISTRY_DIR", raising=False)
    assert (PROJECT_ROOT / "tool_registry").is_dir()  # this is a checkout
    settings = load_settings(home=tmp_path)
    assert settings.registry_dir == tmp_path / "tool_registry"
    monkeypatch.setenv("MCP_SRE_REGISTRY_DIR", str(PROJECT_ROOT / "tool_registry"))
    assert load_settings(home=tmp_path).registry_dir == PROJECT_ROOT / "tool_registry"


def test_providers_come_from_a_comma_list_or_the_config_file(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(home=tmp_path).providers == []  # every indexed provider
    (tmp_path / "config.yaml").write_text("providers: [aws]\n")
    assert load_settings(home=tmp_path).providers == ["aws"]
    monkeypatch.setenv("MCP_SRE_PROVIDERS", " aws, kubernetes ,")
    assert load_settings(home=tmp_path).providers == ["aws", "kubernetes"]
