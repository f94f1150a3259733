"""Drive ``mcp-sre serve`` through a real MCP client over stdio and print what happens.

Everything the demo starts (the AWS emulator, the local Kubernetes endpoint, the server) lives
in a temporary directory and is stopped on exit; tools it registers go to a throw-away registry.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from rich.console import Console
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table

from mcp_sre.config import load_settings
from mcp_sre_demo.steps import STEPS, Step
from mcp_sre_demo.targets import local_aws, local_kubernetes, merged_env

__all__ = ["Demo", "Transcript", "run_demo"]


class Transcript:
    """Readable output: rich panels on a terminal, plain text otherwise."""

    def __init__(self) -> None:
        self.console = Console(highlight=False)
        self.step_no = 0

    def step(self, title: str) -> None:
        self.step_no += 1
        self.console.rule(f"[bold cyan]{self.step_no}. {title}")

    def say(self, text: str) -> None:
        self.console.print(text)

    def code(self, code: str) -> None:
        self.console.print(Syntax(code, "python", theme="ansi_dark", line_numbers=False))

    def table(self, columns: list[str], rows: list[list[Any]]) -> None:
        table = Table(*columns)
        for row in rows:
            table.add_row(*[str(c) for c in row])
        self.console.print(table)

    def panel(self, text: str, style: str = "green") -> None:
        self.console.print(Panel(text, border_style=style))


@dataclass
class Demo:
    """What a step works with: the connected MCP client session and the transcript."""

    session: ClientSession
    out: Transcript
    tools_changed: anyio.Event = field(default_factory=anyio.Event)
    server: StdioServerParameters | None = None
    workdir: Path | None = None


async def _drive(params: StdioServerParameters, out: Transcript, steps: list[Step],
                 workdir: Path) -> None:
    changed = anyio.Event()

    async def on_message(message: Any) -> None:
        if type(getattr(message, "root", message)).__name__ == "ToolListChangedNotification":
            changed.set()

    async with stdio_client(params) as (read, write), ClientSession(
            read, write, message_handler=on_message) as s:
        init = await s.initialize()
        tools = (await s.list_tools()).tools
        builtin = [t.name for t in tools if "mcp-sre/registry" not in (t.meta or {})]
        out.say(f"connected to {init.server_info.name} {init.server_info.version}: "
                f"{len(tools)} tools, of which {len(tools) - len(builtin)} are registered tools "
                f"from the starter library; built in: {', '.join(builtin)}")
        demo = Demo(session=s, out=out, tools_changed=changed, server=params, workdir=workdir)
        for step in steps:
            out.step(step.title)
            await step.run(demo)


def run_demo(keep: bool = False, steps: list[Step] | None = None) -> int:
    """Start the local targets and the server, run ``steps`` (default :data:`STEPS`) through
    a real MCP client, stop everything; 0 when every step ran."""
    out = Transcript()
    out.say("[bold]mcp-sre demo[/bold]: local AWS emulator + local Kubernetes endpoint + "
            "`mcp-sre serve` over stdio")
    workdir = Path(tempfile.mkdtemp(prefix="mcp-sre-demo-"))
    prometheus = None
    out.say("preparing the spec cache and the search index (slow only the first time) ...")
    t = time.perf_counter()
    from mcp_sre.retrieval import Retriever
    from mcp_sre.specs.catalog import SpecCatalog

    catalog = SpecCatalog()
    rows = catalog.sync()
    out.say("  " + ", ".join(f"{r.name}: {r.operations} operations" for r in rows))
    retriever = Retriever(catalog=catalog)
    retriever.ensure_index()  # dense vectors go on building in the background meanwhile
    out.say(f"  ready in {time.perf_counter() - t:.1f} s")
    with ExitStack() as stack:
        stack.callback(retriever.close)  # that build stops before the process ends
        out.say("starting moto (AWS emulator) and seeding EC2, CloudWatch, Logs ...")
        aws_env, seeded = stack.enter_context(local_aws(workdir))
        out.say(f"  {len(seeded['instances'])} instances, log group {seeded['log_group']}")
        out.say("starting the local Kubernetes endpoint (scenario: crashloop) ...")
        k8s_env, sim = stack.enter_context(local_kubernetes(workdir))
        out.say(f"  {sim.url}")
        # a copy of the shipped starter library (the same on a checkout and a wheel install):
        # the demo adds to it without touching yours
        registry = workdir / "registry"
        shutil.copytree(load_settings().starter_dir, registry,
                        ignore=shutil.ignore_patterns(".lock", ".removed", "*.sqlite*",
                                                      "__pycache__"))
        env = merged_env(aws_env, k8s_env, {"MCP_SRE_REGISTRY_DIR": str(registry)})
        args = ["-m", "mcp_sre", "serve"]
        if keep:  # a real Prometheus scrapes the server and stays up afterwards
            from mcp_sre_demo.prometheus import free_port, start_prometheus

            metrics_port = free_port()
            args += ["--metrics-port", str(metrics_port)]
            prometheus = start_prometheus(workdir, metrics_port)
            out.say(f"Prometheus at {prometheus[1]} scrapes the server's /metrics (stays up "
                    f"after the demo: kill {prometheus[0].pid})" if prometheus else
                    "no prometheus installed: metrics are not kept")
        params = StdioServerParameters(command=sys.executable, args=args, env=env)
        try:
            anyio.run(_drive, params, out, STEPS if steps is None else steps, workdir)
        except Exception as exc:
            out.panel(f"demo failed: {type(exc).__name__}: {exc}", "red")
            return 1
    kept_prometheus = f"; Prometheus keeps answering at {prometheus[1]}" if prometheus else ""
    out.say(f"done; everything else started was stopped (work dir {workdir}"
            f"{' kept' if keep else ' removed'}){kept_prometheus}")
    if not keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0
