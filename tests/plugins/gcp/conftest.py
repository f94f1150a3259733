"""Fixtures of the GCP plugin tests: an offline catalog of the default GCP sources, and Prism
serving those specs (exported with ``mcp-sre specs export``) with chosen examples."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cloud_mocks import gcp_mock_document
from prism_mock import prism_or_skip, start_prism

from mcp_sre.config import Settings, load_settings
from mcp_sre.specs.catalog import SpecCatalog


@pytest.fixture(scope="module")
def gcp_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    home = tmp_path_factory.mktemp("gcp-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MCP_SRE_HOME", str(home))
        mp.setenv("MCP_SRE_OFFLINE", "1")
        yield load_settings(home=home, offline=True)


@pytest.fixture(scope="module")
def gcp_catalog(gcp_settings: Settings) -> SpecCatalog:
    return SpecCatalog(settings=gcp_settings)


@pytest.fixture(scope="module")
def gcp_prism(gcp_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Prism serving the GCP operations the tests call, once per module."""
    prism_or_skip()
    env = {"MCP_SRE_HOME": str(gcp_settings.home), "MCP_SRE_OFFLINE": "1"}
    with start_prism(gcp_mock_document(env), Path(tmp_path_factory.mktemp("prism"))) as url:
        yield url


@pytest.fixture
def gcp_token(monkeypatch: pytest.MonkeyPatch) -> str:
    """The host's Google credentials for the mock: an explicit access token."""
    monkeypatch.setenv("GOOGLE_OAUTH_ACCESS_TOKEN", "mock-token")
    return "mock-token"
