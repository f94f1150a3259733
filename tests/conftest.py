"""Shared fixtures: an isolated MCP_SRE_HOME per test, and a spec catalog on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcp_sre.config import Settings, load_settings

FIXTURES = Path(__file__).parent / "fixtures"
SPECS = FIXTURES / "specs"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data directory, also exported for subprocesses."""
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("MCP_SRE_HOME", str(path))
    return path


@pytest.fixture
def settings(home: Path) -> Settings:
    return load_settings(home=home)
