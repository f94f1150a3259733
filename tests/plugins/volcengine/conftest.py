"""Volcano Engine fixtures: the installed volcenginesdk packages parsed by the real format
plugin, and host settings aimed at a gateway on 127.0.0.1 (no real cloud is reachable)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("volcenginesdkecs", reason="volcenginesdk-* packages are not installed")

from conftest_moto import SpecLookup
from conftest_volcengine import AK, SK

from mcp_sre.config import load_settings
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.sandbox import Sandbox
from mcp_sre.specs.model import APISpec, SpecSource
from mcp_sre.specs.parse import parse_content
from mcp_sre_volcengine import executor
from mcp_sre_volcenginesdk.installed import build_manifest

SERVICES = ("ecs", "cloudmonitor", "vpc", "vke", "clb", "rdsmysqlv2")


@pytest.fixture(scope="session")
def volc_pm():
    return make_plugin_manager(only={"volcenginesdk", "volcengine"})


@pytest.fixture(scope="session")
def volc_lookup(volc_pm) -> SpecLookup:
    """Every registered volcengine source, parsed (what ``specs sync`` does offline)."""
    specs: dict[str, APISpec] = {}
    sources: list[SpecSource] = []
    volc_pm.hook.register_doc_sources(register=sources.append)
    assert {s.service for s in sources} == set(SERVICES)
    for source in sources:
        content = json.dumps(build_manifest(source)).encode()
        for spec in parse_content(volc_pm, content, source):
            specs[spec.id] = spec
    return SpecLookup(specs)


@pytest.fixture
def volc_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Test keys in the environment, no CLI config, no instance metadata, a fresh chain."""
    for key in ("VOLCENGINE_ENDPOINT", "VOLCENGINE_SESSION_TOKEN", "VOLCENGINE_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("VOLCENGINE_ACCESS_KEY", AK)
    monkeypatch.setenv("VOLCENGINE_SECRET_KEY", SK)
    monkeypatch.setenv("VOLCENGINE_REGION", "cn-beijing")
    monkeypatch.setenv("VOLCENGINE_CLI_CONFIG_FILE", str(tmp_path / "none.json"))
    monkeypatch.setenv("VOLCENGINE_ECS_METADATA_DISABLED", "true")
    executor.reset_credentials()
    yield
    executor.reset_credentials()


@pytest.fixture(scope="session")
def volc_sandbox(tmp_path_factory, volc_pm, volc_lookup, module_dir: Path) -> Sandbox:
    box = Sandbox(load_settings(home=tmp_path_factory.mktemp("volc-sandbox")), volc_pm,
                  volc_lookup, module_dir=module_dir)
    box.warm()
    return box
