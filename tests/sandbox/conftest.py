"""Sandbox fixtures: one compiled interpreter per session (kept in pytest's cache between
sessions), real botocore specs for a few services, and moto for the AWS calls."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

if str(Path(__file__).resolve().parents[1]) not in sys.path:  # tests/ holds conftest_moto
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest_moto import seed_aws

from mcp_sre.config import load_settings
from mcp_sre.sandbox import Sandbox

__all__: list[str] = []

@pytest.fixture(scope="session")
def sandbox_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sandbox-home")


@pytest.fixture(scope="session")
def sandbox(sandbox_home: Path, plugin_manager, lookup, module_dir: Path) -> Sandbox:
    box = Sandbox(load_settings(home=sandbox_home), plugin_manager, lookup,
                  module_dir=module_dir)
    box.warm()
    return box


@pytest.fixture(scope="session")
def seeded(aws_env: str) -> dict[str, object]:
    return seed_aws()
