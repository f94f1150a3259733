"""Fixtures for the kubernetes plugin: a simulated cluster, its kubeconfig, the parsed specs,
and the guest ``kubernetes`` package wired to the real host bridge in-process."""

from __future__ import annotations

import importlib.util
import json
import marshal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mcp_sre.config import PROJECT_ROOT
from mcp_sre.errors import NotFoundError
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.sandbox.bridge import CallHandler, OperationResolver
from mcp_sre.sandbox.policy import Policy
from mcp_sre.specs.model import APISpec, SpecSource
from mcp_sre.specs.parse import parse_content
from mcp_sre_kubernetes.shims import sandbox_shims
from mcp_sre_kubernetes.sim import SimServer

SWAGGER = PROJECT_ROOT / "plugins" / "mcp_sre_kubernetes" / "specs" / "kubernetes-swagger.json"
CUSTOM_OBJECTS = PROJECT_ROOT / "plugins" / "mcp_sre_kubernetes" / "custom_objects_swagger.json"
GUEST_SRE = PROJECT_ROOT / "mcp_sre" / "sandbox" / "guest" / "sre.py"


@pytest.fixture(autouse=True)
def _no_ambient_cluster(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests name their cluster explicitly; the developer's own kubeconfig never leaks in."""
    for var in ("KUBECONFIG", "MCP_SRE_K8S_CONTEXT", "MCP_SRE_K8S_NAMESPACE",
                "KUBERNETES_SERVICE_HOST"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "user-home"))


@pytest.fixture(scope="session")
def pm():
    return make_plugin_manager()


@pytest.fixture(scope="session")
def k8s_specs(pm) -> dict[str, APISpec]:
    """Every operation of the shipped swagger and the custom-object API, by id."""
    specs: dict[str, APISpec] = {}
    for path, name in ((SWAGGER, "kubernetes"), (CUSTOM_OBJECTS, "kubernetes-custom-objects")):
        source = SpecSource(name=name, provider="kubernetes", url=str(path), format="swagger")
        for spec in parse_content(pm, path.read_bytes(), source):
            specs[spec.id] = spec
    return specs


@pytest.fixture(scope="session")
def sim() -> Iterator[SimServer]:
    """The crashloop scenario over TLS, shared by tests that only read."""
    with SimServer("crashloop", swagger=SWAGGER) as server:
        yield server


@pytest.fixture(scope="session")
def kubeconfig(sim: SimServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sim.write_kubeconfig(tmp_path_factory.mktemp("kube") / "config")


@pytest.fixture
def fresh_sim(tmp_path: Path) -> Iterator[tuple[SimServer, Path]]:
    """A private cluster for tests that write (delete, patch)."""
    with SimServer("crashloop", swagger=SWAGGER) as server:
        yield server, server.write_kubeconfig(tmp_path / "kubeconfig")


class InProcessBridge:
    """The real host side of the bridge (resolver, parameter checks, policy, executor),
    called directly instead of over the wasm channel."""

    def __init__(self, pm, specs: dict[str, APISpec], kubeconfig: Path,
                 allow_writes: bool = False) -> None:
        def lookup(op_id: str) -> APISpec:
            try:
                return specs[op_id]
            except KeyError:
                raise NotFoundError(f"no operation {op_id!r}") from None

        def names(provider: str, service: str) -> list[str]:
            return [s.name for s in specs.values()
                    if s.provider == provider and s.service == service]

        sensitive = [p for group in pm.hook.sensitive_operations() for p in group]
        self.handler = CallHandler(
            resolve=OperationResolver(lookup, names), policy=Policy(sensitive=sensitive),
            execute=lambda spec, params, ctx: pm.hook.execute_operation(
                spec=spec, params=params, context=ctx),
            audit=None, run_id="test", deadline=time.monotonic() + 600,
            allow_writes=allow_writes, context={"kubernetes": {"kubeconfig": str(kubeconfig)}})

    def exchange(self, sre: Any, message: dict[str, Any], operation: str) -> Any:
        message["id"] = 1
        handle = self.handler.describe if message.get("t") == "describe" else self.handler.call
        reply = handle(message)
        # replies travel marshalled (bytes) or as JSON-safe dicts, as over the wasm channel
        reply = marshal.loads(reply) if isinstance(reply, bytes) else json.loads(json.dumps(reply))
        if reply.get("ok"):
            return reply.get("data")
        error = reply.get("error") or {}
        cls = sre._KINDS.get(error.get("kind"), sre.CallError)
        raise cls(error.get("message") or "call failed", operation=operation,
                  code=error.get("code"), status=error.get("status"), details=error)


def load_guest(tmp: Path, bridge: InProcessBridge, package: str) -> Any:
    """Import the guest ``kubernetes`` package (as built by ``sandbox_shims``) under the name
    ``package``, with the real guest ``sre`` module wired to ``bridge``."""
    spec = importlib.util.spec_from_file_location("sre", GUEST_SRE)
    assert spec and spec.loader
    sre = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sre)
    sre._exchange = lambda message, operation: bridge.exchange(sre, message, operation)
    sys.modules["sre"] = sre
    for name, source in sandbox_shims().items():
        parts = name.split(".")
        parts[0] = package
        has_children = any(m.startswith(name + ".") for m in sandbox_shims())
        path = tmp.joinpath(*parts, "__init__.py") if has_children or len(parts) == 1 \
            else tmp.joinpath(*parts).with_suffix(".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    sys.path.insert(0, str(tmp))
    try:
        return importlib.import_module(package)
    finally:
        sys.path.remove(str(tmp))


def unload_guest(package: str) -> None:
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]
    sys.modules.pop("sre", None)


@pytest.fixture(scope="module")
def guest(pm, k8s_specs, sim, kubeconfig, tmp_path_factory) -> Iterator[Any]:
    """``kubernetes`` as sandboxed code sees it, against the shared read-only cluster."""
    package = f"k8s_guest_{id(tmp_path_factory)}"
    bridge = InProcessBridge(pm, k8s_specs, kubeconfig)
    module = load_guest(tmp_path_factory.mktemp("guest"), bridge, package)
    module.bridge = bridge
    yield module
    unload_guest(package)
