"""Shared fixtures: an isolated MCP_SRE_HOME per test, and a spec catalog on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mcp_sre.config import Settings, load_settings
from mcp_sre.demo.targets import aws_environment, start_moto

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


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real AWS emulator (moto in server mode, over HTTP) for the whole session."""
    with start_moto(tmp_path_factory.mktemp("moto")) as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def aws_env(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Host AWS settings aimed at moto: endpoint, dummy credentials, region, no user files.
    The sandbox guest never sees any of it."""
    values = aws_environment(moto_endpoint, tmp_path_factory.mktemp("awsconfig"))
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("AWS_PROFILE", raising=False)
        for key, value in values.items():
            mp.setenv(key, value)
        yield moto_endpoint


@pytest.fixture(scope="session")
def module_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the sandbox keeps its compiled interpreter: compiled once per session (and kept
    between sessions in ``.pytest_cache`` when the cache plugin is on)."""
    cache = getattr(request.config, "cache", None)  # None with -p no:cacheprovider
    return Path(cache.mkdir("mcp-sre-wasm")) if cache else tmp_path_factory.mktemp("wasm")


@pytest.fixture(scope="session")
def plugin_manager():
    """Only the AWS plugins: the sandbox and registry tests run against moto."""
    from mcp_sre.plugin_manager import make_plugin_manager

    return make_plugin_manager(only={"botocore", "aws"})


@pytest.fixture(scope="session")
def lookup(plugin_manager):
    """``operation_lookup`` over a few real botocore service models."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from conftest_moto import BotocoreLookup

    return BotocoreLookup(plugin_manager)
