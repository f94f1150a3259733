"""Overhead of the ManagerAgent (choosing a playbook, planning, recording every step in SQLite,
the session) over running the same steps directly, on the demo's local Kubernetes target.

Run: ``python benchmarks/bench_manager.py [--runs 7]``. Both sides run the hell request's
steps (the diagnostic agent, then the answer) against the same simulated cluster, alternating,
after one warm-up each; the figure is the median ratio. Target: overhead <= 10 %.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import anyio

from mcp_sre.agents.manager import AgentContext, AgentTask, ManagerAgent
from mcp_sre.config import PROJECT_ROOT, load_settings
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.server import ServerState
from mcp_sre.specs.catalog import SpecCatalog
from mcp_sre_demo.modes import SCENARIO
from mcp_sre_demo.targets import local_kubernetes

HELL = "web-app Pod 一直 CrashLoopBackOff, 根因是什么?"
SWAGGER = PROJECT_ROOT / "plugins" / "mcp_sre_kubernetes" / "specs" / "kubernetes-swagger.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-manager-"))
    registry = work / "registry"
    shutil.copytree(PROJECT_ROOT / "tool_registry", registry,
                    ignore=shutil.ignore_patterns(".lock", "*.sqlite*", "__pycache__"))
    settings = load_settings(home=work / "home", registry_dir=registry, sources=[
        {"name": "kubernetes", "provider": "kubernetes", "url": str(SWAGGER),
         "format": "swagger"}])
    state = ServerState(catalog=SpecCatalog(settings, make_plugin_manager(
        only={"swagger", "kubernetes"})))
    manager = ManagerAgent(state)
    agents = manager.agents
    with local_kubernetes(work, str(SCENARIO)) as (env, _server):
        os.environ.update(env)
        ctx = AgentContext(services=state)

        async def direct() -> float:
            started = time.perf_counter()
            result = await agents["diagnose"].run(AgentTask(agent="diagnose", request=HELL,
                                                            inputs={"question": HELL}), ctx)
            await agents["answer"].run(AgentTask(agent="answer", request=HELL, inputs={
                "steps": {"diagnose": result.model_dump()}, "order": ["diagnose"]}), ctx)
            return time.perf_counter() - started

        async def managed() -> float:
            started = time.perf_counter()
            result = await manager.investigate(HELL, session_id="bench")
            assert result.status == "finished" and "DATABASE_URL" in result.answer
            return time.perf_counter() - started

        async def run() -> tuple[list[float], list[float]]:
            await direct()
            await managed()  # warm-up: the matcher's model and the spec index load once
            a, b = [], []
            for _ in range(args.runs):
                a.append(await direct())
                b.append(await managed())
            return a, b

        plain, planned = anyio.run(run)
    shutil.rmtree(work, ignore_errors=True)
    ratio = statistics.median(planned) / statistics.median(plain)
    print(f"direct steps:   median {statistics.median(plain) * 1000:7.1f} ms over {args.runs}")
    print(f"ManagerAgent:   median {statistics.median(planned) * 1000:7.1f} ms over {args.runs}")
    print(f"overhead: {100 * (ratio - 1):+.1f} % (target <= 10 %)")


if __name__ == "__main__":
    main()
