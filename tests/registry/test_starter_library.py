"""The starter library shipped in ``tool_registry/``: at least 20 active tools, each registered
through ``register_tool`` with a passing sandbox test, in sync with ``tool_registry_src/``; and
(slow) a few of them run again against the local targets."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from mcp_sre.config import load_settings
from mcp_sre.registry import RegisteredTool, ToolRegistry
from mcp_sre.registry.store import RegistryStore
from mcp_sre.toolcode.review import review_tool

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "tool_registry"
PROVIDERS = {"aws", "kubernetes", "gcp", "azure", "volcengine"}


def _seed_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("starter_seed",
                                                  ROOT / "tool_registry_src" / "seed.py")
    assert spec and spec.loader
    module = sys.modules.setdefault("starter_seed", importlib.util.module_from_spec(spec))
    spec.loader.exec_module(module)  # registered first: its dataclass looks itself up there
    return module


@pytest.fixture(scope="module")
def shipped() -> list[RegisteredTool]:
    store = RegistryStore(SHIPPED)
    return [store.load(name) for name in store.names() if store.head(name).status == "active"]


def test_at_least_twenty_active_tools_across_aws_and_kubernetes(
        shipped: list[RegisteredTool]) -> None:
    assert len(shipped) >= 20
    providers = [p for tool in shipped for p in tool.providers]
    assert providers.count("aws") >= 8 and providers.count("kubernetes") >= 8


def test_every_tool_is_complete_and_passed_its_sandbox_test(
        shipped: list[RegisteredTool]) -> None:
    for tool in shipped:
        where = tool.name
        assert "def main(" in tool.code and "main(" in tool.test, where
        assert tool.parameters.get("type") == "object", where
        assert isinstance(tool.parameters.get("properties"), dict), where
        assert tool.returns and tool.returns.get("type") == "object", where
        assert tool.providers and set(tool.providers) <= PROVIDERS, where
        assert tool.operations and all(op.split("/", 1)[0] in tool.providers
                                       for op in tool.operations), where
        assert tool.created_by == "register_tool" and tool.request, where
        assert len(tool.description) >= 60, where
        assert tool.checks is not None and tool.checks.passed, where
        result = tool.test_result
        assert result is not None and result.passed and result.error is None, where
        assert result.tests and result.duration_ms > 0, where
        assert set(result.operations) <= set(tool.operations), where
        assert result.sample not in (None, "(too large to keep)"), where


def test_registry_matches_its_sources() -> None:
    """Every tool of tool_registry_src/ is registered with exactly that code (run seed.py)."""
    seed = _seed_module()
    sources = seed.load_sources()
    assert len(sources) >= 20
    stale = [t.name for t in seed.pending(sources, SHIPPED)]
    assert stale == [], f"not registered or out of date: {stale}; run tool_registry_src/seed.py"
    assert {t.name for t in sources} == set(RegistryStore(SHIPPED).names())


def test_every_tool_passes_the_review_again(shipped: list[RegisteredTool]) -> None:
    """Read-only, no secrets, bounded pagination: the checks registration ran still pass."""
    for tool in shipped:
        report = review_tool(tool.code, tool.test, tool.parameters)
        assert report.passed, (tool.name, [str(f) for f in report.findings])
        assert not [f for f in report.findings if f.rule in {"write_call", "secret",
                                                             "unbounded_pagination"}]


def test_each_tool_is_found_first_for_its_own_request(tmp_path: Path,
                                                      shipped: list[RegisteredTool]) -> None:
    registry = ToolRegistry(load_settings(home=tmp_path / "home", registry_dir=SHIPPED))
    for tool in shipped:
        best = registry.find(tool.request or "", limit=1)[0]
        assert best.tool.name == tool.name, (tool.request, best.tool.name, best.similarity)


# ------------------------------------------------------------------ slow: run them again
@pytest.fixture(scope="module")
def targets(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """moto with the demo seed and the local Kubernetes endpoint (crashloop), the host's
    environment pointed at both."""
    from mcp_sre_demo.targets import local_aws, local_kubernetes

    work = tmp_path_factory.mktemp("starter-targets")
    with local_aws(work) as (aws_env, seeded), local_kubernetes(work, "crashloop") as (
            k8s_env, _), pytest.MonkeyPatch.context() as mp:
        mp.delenv("AWS_PROFILE", raising=False)
        for key, value in {**aws_env, **k8s_env}.items():
            mp.setenv(key, value)
        yield seeded


@pytest.fixture(scope="module")
def live_registry(tmp_path_factory: pytest.TempPathFactory, module_dir: Path,
                  targets: dict[str, Any]) -> ToolRegistry:
    """A copy of the shipped registry (calls record statistics) with a real sandbox."""
    from mcp_sre.sandbox import CatalogOperations, Sandbox
    from mcp_sre.specs.catalog import SpecCatalog

    work = tmp_path_factory.mktemp("starter-registry")
    shutil.copytree(SHIPPED, work / "tool_registry", ignore=shutil.ignore_patterns(".lock"))
    settings = load_settings(home=work / "home", registry_dir=work / "tool_registry",
                             offline=True)
    catalog = SpecCatalog(settings)
    operations = CatalogOperations(catalog)
    sandbox = Sandbox(settings, catalog.pm, operations, module_dir=module_dir)
    return ToolRegistry(settings, sandbox=sandbox, pm=catalog.pm, operation_lookup=operations)


@pytest.mark.slow
def test_shipped_tools_run_again_against_the_local_targets(
        live_registry: ToolRegistry, targets: dict[str, Any]) -> None:
    hot = live_registry.call("ec2_instances_high_cpu", {"threshold": 80})
    assert {r["instance_id"] for r in hot["instances"]} == set(targets["hot"])

    crashing = live_registry.call("crash_looping_pods", {"namespace": "shop"})
    assert [(r["waiting_reason"], r["last_termination_reason"])
            for r in crashing["containers"]] == [("CrashLoopBackOff", "OOMKilled")]

    rollouts = live_registry.call("stuck_rollouts", {"namespace": "shop",
                                                     "include_degraded": False})
    assert [(r["deployment"], r["reason"]) for r in rollouts["deployments"]] == [
        ("payments", "ProgressDeadlineExceeded")]

    tool = live_registry.get("elb_unhealthy_targets")  # its own test, as `tools test` runs it
    report = live_registry.run_test(tool.code, tool.test, providers=tool.providers)
    assert report.passed, report.error
    assert report.sample["targets"][0]["target"] == targets["stopped"]

    stats = live_registry.summary("crash_looping_pods").stats
    assert stats.calls == 1 and stats.successes == 1


@pytest.mark.slow
def test_every_operation_resolves_as_a_read_in_the_live_specs(
        live_registry: ToolRegistry) -> None:
    from mcp_sre.specs.catalog import SpecCatalog

    catalog = SpecCatalog(live_registry.settings)
    operations = {op for tool in live_registry.active_tools() for op in tool.operations}
    assert len(operations) >= 20
    for op in sorted(operations):
        assert catalog.get(op).access == "read", op
