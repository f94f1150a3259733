"""Fixtures of the GCP plugin tests: an offline catalog of the default GCP sources, and Prism
serving those specs (exported with ``mcp-sre specs export``) with chosen examples."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from prism_mock import add_example, exported_openapi, prism_or_skip, start_prism

from mcp_sre.config import Settings, load_settings
from mcp_sre.specs.catalog import SpecCatalog

PROJECT = "shop-prod"
ZONE = "us-central1-a"
HOT = {"web-1": 93.0, "web-2": 86.5}
COOL = {"batch-1": 12.0}
MOCKED = ["gcp/compute/compute.instances.list", "gcp/compute/compute.instances.aggregatedList",
          "gcp/compute/compute.instances.get", "gcp/compute/compute.zones.list",
          "gcp/monitoring/monitoring.projects.timeSeries.list",
          "gcp/logging/logging.entries.list"]


def instance(name: str, status: str = "RUNNING") -> dict:
    return {"id": str(abs(hash(name)) % 10**12), "name": name, "status": status,
            "zone": f"https://www.googleapis.com/compute/v1/projects/{PROJECT}/zones/{ZONE}",
            "machineType": "e2-medium",
            "metadata": {"items": [{"key": "startup-script", "value": "export DB_PASSWORD=x"},
                                   {"key": "env", "value": "prod"}]}}


def cpu_series(name: str, value: float) -> dict:
    return {"metric": {"type": "compute.googleapis.com/instance/cpu/utilization",
                       "labels": {"instance_name": name}},
            "resource": {"type": "gce_instance",
                         "labels": {"project_id": PROJECT, "zone": ZONE,
                                    "instance_id": str(abs(hash(name)) % 10**12)}},
            "metricKind": "GAUGE", "valueType": "DOUBLE",
            "points": [{"interval": {"endTime": "2026-12-03T10:00:00Z"},
                        "value": {"doubleValue": value / 100}}]}


def gcp_mock_document(env: dict[str, str]) -> dict:
    doc = exported_openapi(["gcp-compute", "gcp-monitoring", "gcp-logging"], only=MOCKED,
                           env=env)
    names = [*HOT, *COOL]
    add_example(doc, "/compute/v1/projects/{project}/zones/{zone}/instances", "get",
                {"kind": "compute#instanceList", "items": [instance(n) for n in names]})
    add_example(doc, "/compute/v1/projects/{project}/aggregated/instances", "get",
                {"items": {f"zones/{ZONE}": {"instances": [instance(n) for n in names]},
                           "zones/europe-west1-b": {"warning": {"code": "NO_RESULTS_ON_PAGE"}}}})
    add_example(doc, "/v3/projects/{projectsId}/timeSeries", "get",
                {"timeSeries": [cpu_series(n, v) for n, v in {**HOT, **COOL}.items()]})
    add_example(doc, "/v2/entries:list", "post", {"entries": [
        {"logName": f"projects/{PROJECT}/logs/app", "severity": "ERROR",
         "timestamp": "2026-12-03T09:59:00Z", "textPayload": "upstream timed out",
         "resource": {"type": "gce_instance", "labels": {"instance_id": "1"}}}]})
    return doc


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
