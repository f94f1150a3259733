"""Health tests: real local targets (the Kubernetes simulator, moto, Prometheus) and the real
provider plugins; operation specs parsed from the shipped files, as the catalog would."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mcp_sre.config import PROJECT_ROOT
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.specs.model import APISpec, SpecSource
from mcp_sre.specs.parse import parse_content

if str(Path(__file__).resolve().parents[2]) not in sys.path:  # tests/ holds conftest_moto
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from conftest_moto import BotocoreLookup, SpecLookup

SWAGGER = PROJECT_ROOT / "plugins" / "mcp_sre_kubernetes" / "specs" / "kubernetes-swagger.json"
PROMETHEUS = PROJECT_ROOT / "plugins" / "mcp_sre_prometheus" / "prometheus-http-api.yaml"
AWS_SERVICES = ("resourcegroupstaggingapi", "ec2", "cloudwatch", "elbv2", "rds", "xray", "logs")
AMBIENT = (
    "KUBECONFIG",
    "KUBERNETES_SERVICE_HOST",
    "MCP_SRE_PROMETHEUS_URL",
    "PROMETHEUS_URL",
    "AWS_ENDPOINT_URL",
    "AWS_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "MCP_SRE_LLM_BASE_URL",
    "MCP_SRE_HEALTH_CONFIG",
)


@pytest.fixture(autouse=True)
def _no_ambient_targets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test names its targets; the developer's clusters and clouds never leak in."""
    for var in AMBIENT:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "user-home"))


@pytest.fixture(scope="session")
def pm():
    return make_plugin_manager()


@pytest.fixture(scope="session")
def specs(pm) -> SpecLookup:
    """Operation lookup over the Kubernetes swagger, the Prometheus API and a few AWS services."""
    table: dict[str, APISpec] = dict(BotocoreLookup(pm, AWS_SERVICES).specs)
    for path, provider, fmt, extra in (
        (SWAGGER, "kubernetes", "swagger", {}),
        (PROMETHEUS, "prometheus", "openapi", {"service": "api", "options": {"use_tags": False}}),
    ):
        source = SpecSource(name=provider, provider=provider, url=str(path), format=fmt, **extra)
        for spec in parse_content(pm, path.read_bytes(), source):
            table[spec.id] = spec
    return SpecLookup(table)


@pytest.fixture
def sim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """The crashloop scenario, with KUBECONFIG pointing at it."""
    from mcp_sre_kubernetes.sim import SimServer

    with SimServer("crashloop", swagger=SWAGGER) as server:
        monkeypatch.setenv("KUBECONFIG", str(server.write_kubeconfig(tmp_path / "kubeconfig")))
        yield server
