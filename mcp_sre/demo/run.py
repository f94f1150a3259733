"""Drive ``mcp-sre serve`` through a real MCP client over stdio and print what happens.

Everything the demo starts (the AWS emulator, the local Kubernetes endpoint, the server) lives
in a temporary directory and is stopped on exit; tools it registers go to a throw-away registry.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
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
from mcp_sre.demo.targets import local_aws, local_kubernetes, merged_env

__all__ = ["run_demo"]

POD_TOOL_CODE = '''\
def main(namespace: str = "default") -> list:
    """Where each pod of a namespace runs: its node, phase, IP and restart count."""
    rows = []
    token = None
    for _ in range(20):  # bounded pagination
        params = {"namespace": namespace, "limit": 100}
        if token:
            params["continue"] = token
        page = sre.call("kubernetes/core_v1/listCoreV1NamespacedPod", **params)
        for pod in page["items"]:
            status = pod.get("status", {})
            rows.append({"pod": pod["metadata"]["name"],
                         "node": pod.get("spec", {}).get("nodeName", ""),
                         "phase": status.get("phase", ""), "ip": status.get("podIP", ""),
                         "restarts": sum(c.get("restartCount", 0)
                                         for c in status.get("containerStatuses", []))})
        token = page.get("metadata", {}).get("continue")
        if not token:
            break
    return rows
'''
POD_TOOL_TEST = '''\
def test_places_pods_on_nodes():
    rows = main(namespace="shop")
    assert rows and all({"pod", "node", "phase", "ip", "restarts"} <= set(r) for r in rows)
'''
POD_TOOL_PARAMS = {"type": "object", "properties": {"namespace": {
    "type": "string", "description": "Kubernetes namespace", "default": "default"}}}

HOT_INSTANCES_CODE = '''\
import boto3
from datetime import datetime, timedelta, timezone

ec2 = boto3.client("ec2")
cloudwatch = boto3.client("cloudwatch")
end = datetime.now(timezone.utc)
hot = []
for page in ec2.get_paginator("describe_instances").paginate():
    for reservation in page["Reservations"]:
        for instance in reservation["Instances"]:
            stats = cloudwatch.get_metric_statistics(
                Namespace="AWS/EC2", MetricName="CPUUtilization",
                Dimensions=[{"Name": "InstanceId", "Value": instance["InstanceId"]}],
                StartTime=(end - timedelta(hours=1)).isoformat(), EndTime=end.isoformat(),
                Period=300, Statistics=["Average"])
            points = [p["Average"] for p in stats["Datapoints"]]
            avg = sum(points) / len(points) if points else 0.0
            name = {t["Key"]: t["Value"] for t in instance.get("Tags", [])}.get("Name", "")
            print(f"{instance['InstanceId']}  {name:<14} avg CPU {avg:5.1f}%")
            if avg > 80:
                hot.append(instance["InstanceId"])
print("above 80%:", hot)
'''
DELETE_CODE = '''\
from kubernetes import client, config
config.load_kube_config()
client.CoreV1Api().delete_namespaced_pod("cart-7d9f8", "shop")
'''


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


def _structured(result: Any) -> Any:
    if result.isError:
        raise RuntimeError(result.content[0].text if result.content else "tool error")
    if result.structuredContent is not None:
        data = result.structuredContent
        return data.get("result", data) if set(data) == {"result"} else data
    return json.loads(result.content[0].text)


async def _drive(params: StdioServerParameters, out: Transcript) -> None:
    changed = anyio.Event()

    async def on_message(message: Any) -> None:
        if type(getattr(message, "root", None)).__name__ == "ToolListChangedNotification":
            changed.set()

    async with stdio_client(params) as (read, write), ClientSession(
            read, write, message_handler=on_message) as s:
        init = await s.initialize()
        tools = (await s.list_tools()).tools
        builtin = [t.name for t in tools if "mcp-sre/registry" not in (t.meta or {})]
        out.say(f"connected to {init.serverInfo.name} {init.serverInfo.version}: "
                f"{len(tools)} tools, of which {len(tools) - len(builtin)} are registered tools "
                f"from the starter library; built in: {', '.join(builtin)}")

        out.step("Find the operations for a request, in Chinese")
        out.say("request: [bold]列出电商平台的所有Pod[/bold]")
        t = time.perf_counter()
        hits = _structured(await s.call_tool("search_apis", {
            "query": "列出电商平台的所有Pod", "top_k": 5}))
        out.table(["rank", "operation", "access", "score"],
                  [[i + 1, h["id"], h["access"], f"{h['score']:.3f}"] for i, h in enumerate(hits)])
        out.say(f"({(time.perf_counter() - t) * 1000:.0f} ms, including the first index load)")

        out.step("Read the live spec of the operation")
        spec = _structured(await s.call_tool("get_api_spec", {
            "id": "kubernetes/core_v1/listCoreV1NamespacedPod"}))
        out.say(f"{spec['method']} {spec['endpoint']}  [{spec['access']}]  {spec['summary']}")
        out.say("parameters: " + ", ".join(p["name"] for p in spec["parameters"][:10]) + ", ...")

        out.step("Run code in the wasmtime sandbox, read-only, against AWS (local emulator)")
        out.code(HOT_INSTANCES_CODE)
        run = _structured(await s.call_tool("run_code", {"code": HOT_INSTANCES_CODE,
                                                         "timeout_s": 120}))
        out.panel(run["stdout"].strip() or json.dumps(run.get("error")),
                  "green" if run["ok"] else "red")
        out.say(f"{len(run['calls'])} bridged calls, each checked by the host policy")

        out.step("A write is refused by the policy, not by luck")
        out.code(DELETE_CODE)
        run = _structured(await s.call_tool("run_code", {"code": DELETE_CODE}))
        out.panel(f"ok={run['ok']}  {run['error']['type']}: {run['error']['message']}", "red")

        out.step("Register working code as a new MCP tool")
        out.code(POD_TOOL_CODE)
        reg = _structured(await s.call_tool("register_tool", {
            "name": "pod_placement",
            "description": "Where each pod of a Kubernetes namespace runs: node, phase, pod IP "
                           "and restart count (Pod 调度在哪个节点).",
            "code": POD_TOOL_CODE, "test": POD_TOOL_TEST, "parameters": POD_TOOL_PARAMS}))
        out.say(f"registered {reg.get('name', 'pod_placement')} version {reg.get('version', '?')}"
                " (static checks, security review and its test in the sandbox passed)")
        with anyio.move_on_after(5):
            await changed.wait()
        out.say(f"notifications/tools/list_changed received: {changed.is_set()}")
        names = {t.name for t in (await s.list_tools()).tools}
        out.say(f"pod_placement in tools/list: {'pod_placement' in names}")

        out.step("Call the new tool")
        rows = _structured(await s.call_tool("pod_placement", {"namespace": "shop"}))
        out.table(["pod", "node", "phase", "ip", "restarts"],
                  [[r["pod"], r["node"], r["phase"], r["ip"], r["restarts"]] for r in rows])

        out.step("Ask in other words: registered tools are found and reused, nothing generated")
        for request in ("where does each pod in namespace shop run: node and IP",
                        "pods in shop stuck in CrashLoopBackOff, with the reason"):
            found = _structured(await s.call_tool("find_tool", {"request": request}))
            matches = found.get("matches", found) if isinstance(found, dict) else found
            best = matches[0] if matches else None
            if not best:
                out.say(f"{request!r}: no registered tool matched")
                continue
            verdict = "reuse it" if best.get("reuse") else "below the reuse threshold"
            out.say(f"{request!r} -> {best['name']} (similarity {best['similarity']:.2f}, "
                    f"confidence {best.get('confidence', 0):.2f}: {verdict})")
            if best.get("reuse"):
                rows = _structured(await s.call_tool(best["name"], {"namespace": "shop"}))
                out.say(json.dumps(rows, ensure_ascii=False)[:600])


def run_demo(keep: bool = False) -> int:
    out = Transcript()
    out.say("[bold]mcp-sre demo[/bold]: local AWS emulator + local Kubernetes endpoint + "
            "`mcp-sre serve` over stdio")
    workdir = Path(tempfile.mkdtemp(prefix="mcp-sre-demo-"))
    out.say("preparing the spec cache and the search index (slow only the first time) ...")
    t = time.perf_counter()
    from mcp_sre.retrieval import Retriever
    from mcp_sre.specs.catalog import SpecCatalog

    catalog = SpecCatalog()
    rows = catalog.sync()
    out.say("  " + ", ".join(f"{r.name}: {r.operations} operations" for r in rows))
    Retriever(catalog=catalog).ensure_index()
    out.say(f"  ready in {time.perf_counter() - t:.1f} s")
    with ExitStack() as stack:
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
        params = StdioServerParameters(command=sys.executable, args=["-m", "mcp_sre", "serve"],
                                       env=env)
        try:
            anyio.run(_drive, params, out)
        except Exception as exc:
            out.panel(f"demo failed: {type(exc).__name__}: {exc}", "red")
            return 1
    out.say(f"done; everything started was stopped (work dir {workdir}"
            f"{' kept' if keep else ' removed'})")
    if not keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0
