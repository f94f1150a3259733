"""Manager fixtures: agents registered through the real ``register_agents`` hook by a test
plugin (they record what ran, sleep, fail or observe on purpose), and services without clouds."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import anyio
import pytest

from mcp_sre.agents.manager import AgentResult, Entity
from mcp_sre.agents.manager.agents import load_agents
from mcp_sre.hookspecs import hookimpl
from mcp_sre.plugin_manager import make_plugin_manager


class Probe:
    """A plugin with agents whose behaviour the tests set: ``echo`` returns its inputs,
    ``sleep`` waits ``seconds``, ``fail`` raises, ``pods`` names pods of a namespace."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.running = 0
        self.peak = 0

    async def _track(self, name: str, inputs: dict[str, Any], seconds: float = 0.0) -> None:
        self.calls.append((name, inputs))
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            await anyio.sleep(seconds)
        finally:
            self.running -= 1

    @hookimpl
    def register_agents(self, register: Any) -> None:
        async def echo(task: Any, ctx: Any) -> AgentResult:
            await self._track("echo", task.inputs)
            return AgentResult(status="ok", summary=f"echo {task.inputs}", data=dict(task.inputs))

        async def sleep(task: Any, ctx: Any) -> AgentResult:
            await self._track("sleep", task.inputs, float(task.inputs.get("seconds", 0.2)))
            return AgentResult(status="ok", summary=f"slept {task.inputs.get('seconds')}",
                               data={"at": time.perf_counter()})

        async def fail(task: Any, ctx: Any) -> AgentResult:
            await self._track("fail", task.inputs)
            raise RuntimeError("boom")

        async def pods(task: Any, ctx: Any) -> AgentResult:
            await self._track("pods", task.inputs)
            ns = task.inputs.get("namespace", "shop")
            names = [] if ns == "empty" else [f"{ns}-pod-{i}" for i in (1, 2)]
            return AgentResult(status="ok", summary=f"{len(names)} pods in {ns}",
                               data={"pods": names, "count": len(names)},
                               entities=[Entity(kind="namespace", value=ns)] + [
                                   Entity(kind="pod", value=n, namespace=ns) for n in names])

        register("echo", echo, "returns its inputs", {"x": "anything"})
        register("sleep", sleep, "waits", {"seconds": "how long"})
        register("fail", fail, "always fails")
        register("pods", pods, "pods of a namespace", {"namespace": "the namespace"})


@pytest.fixture
def probe() -> Probe:
    return Probe()


@pytest.fixture
def probe_agents(probe: Probe) -> dict[str, Any]:
    pm = make_plugin_manager(only=set(), extra=[probe])
    return load_agents(pm)


@pytest.fixture
def services(tmp_path: Path, probe: Probe) -> Any:
    """What the manager needs when only probe agents run: settings.home and a plugin manager."""
    pm = make_plugin_manager(only=set(), extra=[probe])
    return SimpleNamespace(settings=SimpleNamespace(home=tmp_path), pm=pm)
