"""Diagnosis fixtures: the shipped Kubernetes swagger as the operation lookup, a sandbox whose
host bridge (policy, executor, audit log) serves the diagnoser's reads, and simulated clusters."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mcp_sre.agents.diagnosis import Diagnoser
from mcp_sre.config import PROJECT_ROOT, load_settings
from mcp_sre.errors import NotFoundError
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.sandbox import Sandbox
from mcp_sre.specs.model import APISpec, SpecSource
from mcp_sre.specs.parse import parse_content
from mcp_sre_kubernetes.sim import SimServer

SWAGGER = PROJECT_ROOT / "plugins" / "mcp_sre_kubernetes" / "specs" / "kubernetes-swagger.json"
CUSTOM_OBJECTS = PROJECT_ROOT / "plugins" / "mcp_sre_kubernetes" / "custom_objects_swagger.json"
FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "eval"


@pytest.fixture(autouse=True)
def _no_ambient_cluster(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("KUBECONFIG", "MCP_SRE_K8S_CONTEXT", "MCP_SRE_K8S_NAMESPACE",
                "KUBERNETES_SERVICE_HOST", "MCP_SRE_LLM_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "user-home"))


@pytest.fixture(scope="session")
def diag_pm() -> Any:
    return make_plugin_manager(only={"swagger", "kubernetes"})


@pytest.fixture(scope="session")
def k8s_lookup(diag_pm: Any) -> Any:
    specs: dict[str, APISpec] = {}
    for path, name in ((SWAGGER, "kubernetes"), (CUSTOM_OBJECTS, "kubernetes-custom-objects")):
        source = SpecSource(name=name, provider="kubernetes", url=str(path), format="swagger")
        specs.update((s.id, s) for s in parse_content(diag_pm, path.read_bytes(), source))

    def lookup(op_id: str) -> APISpec:
        try:
            return specs[op_id]
        except KeyError:
            raise NotFoundError(f"no operation {op_id!r}") from None

    return lookup


@pytest.fixture(scope="session")
def diag_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("diag-home")


@pytest.fixture(scope="session")
def diagnoser(diag_pm: Any, k8s_lookup: Any, diag_home: Path) -> Diagnoser:
    box = Sandbox(settings=load_settings(home=diag_home), pm=diag_pm,
                  operation_lookup=k8s_lookup)
    return Diagnoser(box)


@contextlib.contextmanager
def cluster(scenario: Any, tmp: Path) -> Iterator[dict[str, dict[str, Any]]]:
    """Serve a scenario (name, path or Scenario) and yield the bridge context for it."""
    with SimServer(scenario, swagger=SWAGGER) as sim:
        yield {"kubernetes": {"kubeconfig": str(sim.write_kubeconfig(tmp / "kubeconfig"))}}
