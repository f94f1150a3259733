"""What ``mcp-sre demo`` shows, as a list of steps: each is a title and an async function of
the :class:`~mcp_sre_demo.run.Demo` (the MCP client session and the transcript). Later work adds
a step (a diagnosis, a health report) by appending to :data:`STEPS` or passing its own list to
:func:`~mcp_sre_demo.run.run_demo`, not by editing one long function."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio

if TYPE_CHECKING:
    from mcp_sre_demo.run import Demo

__all__ = ["STEPS", "Step", "structured"]


@dataclass(frozen=True)
class Step:
    """One numbered section of the transcript."""

    title: str
    run: Callable[[Demo], Awaitable[None]]


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



def structured(result: Any) -> Any:
    """A tool result's value; a tool error raises (the demo stops and says why)."""
    if result.is_error:
        raise RuntimeError(result.content[0].text if result.content else "tool error")
    if result.structured_content is not None:
        data = result.structured_content
        return data.get("result", data) if set(data) == {"result"} else data
    return json.loads(result.content[0].text)


async def find_operations(demo: Demo) -> None:
    out, s = demo.out, demo.session
    out.say("request: [bold]列出电商平台的所有Pod[/bold]")
    t = time.perf_counter()
    hits = structured(await s.call_tool("search_apis", {
        "query": "列出电商平台的所有Pod", "top_k": 5}))
    out.table(["rank", "operation", "access", "score"],
              [[i + 1, h["id"], h["access"], f"{h['score']:.3f}"] for i, h in enumerate(hits)])
    out.say(f"({(time.perf_counter() - t) * 1000:.0f} ms, including the first index load)")


async def read_spec(demo: Demo) -> None:
    out = demo.out
    spec = structured(await demo.session.call_tool("get_api_spec", {
        "id": "kubernetes/core_v1/listCoreV1NamespacedPod"}))
    out.say(f"{spec['method']} {spec['endpoint']}  [{spec['access']}]  {spec['summary']}")
    out.say("parameters: " + ", ".join(p["name"] for p in spec["parameters"][:10]) + ", ...")


async def run_in_sandbox(demo: Demo) -> None:
    out = demo.out
    out.code(HOT_INSTANCES_CODE)
    run = structured(await demo.session.call_tool("run_code", {"code": HOT_INSTANCES_CODE,
                                                               "timeout_s": 120}))
    out.panel(run["stdout"].strip() or json.dumps(run.get("error")),
              "green" if run["ok"] else "red")
    out.say(f"{len(run['calls'])} bridged calls, each checked by the host policy")


async def write_refused(demo: Demo) -> None:
    out = demo.out
    out.code(DELETE_CODE)
    run = structured(await demo.session.call_tool("run_code", {"code": DELETE_CODE}))
    out.panel(f"ok={run['ok']}  {run['error']['type']}: {run['error']['message']}", "red")


async def register_tool(demo: Demo) -> None:
    out, s = demo.out, demo.session
    out.code(POD_TOOL_CODE)
    reg = structured(await s.call_tool("register_tool", {
        "name": "pod_placement",
        "description": "Where each pod of a Kubernetes namespace runs: node, phase, pod IP "
                       "and restart count (Pod 调度在哪个节点).",
        "code": POD_TOOL_CODE, "test": POD_TOOL_TEST, "parameters": POD_TOOL_PARAMS}))
    out.say(f"registered {reg.get('name', 'pod_placement')} version {reg.get('version', '?')}"
            " (static checks, security review and its test in the sandbox passed)")
    with anyio.move_on_after(5):
        await demo.tools_changed.wait()
    out.say(f"notifications/tools/list_changed received: {demo.tools_changed.is_set()}")
    names = {t.name for t in (await s.list_tools()).tools}
    out.say(f"pod_placement in tools/list: {'pod_placement' in names}")


async def call_new_tool(demo: Demo) -> None:
    rows = structured(await demo.session.call_tool("pod_placement", {"namespace": "shop"}))
    demo.out.table(["pod", "node", "phase", "ip", "restarts"],
                   [[r["pod"], r["node"], r["phase"], r["ip"], r["restarts"]] for r in rows])


async def reuse_tools(demo: Demo) -> None:
    out, s = demo.out, demo.session
    for request in ("where does each pod in namespace shop run: node and IP",
                    "pods in shop stuck in CrashLoopBackOff, with the reason"):
        found = structured(await s.call_tool("find_tool", {"request": request}))
        matches = found.get("matches", found) if isinstance(found, dict) else found
        best = matches[0] if matches else None
        if not best:
            out.say(f"{request!r}: no registered tool matched")
            continue
        verdict = "reuse it" if best.get("reuse") else "below the reuse threshold"
        out.say(f"{request!r} -> {best['name']} (similarity {best['similarity']:.2f}, "
                f"confidence {best.get('confidence', 0):.2f}: {verdict})")
        if best.get("reuse"):
            rows = structured(await s.call_tool(best["name"], {"namespace": "shop"}))
            out.say(json.dumps(rows, ensure_ascii=False)[:600])


async def business_health(demo: Demo) -> None:
    """The hard mode: the e-commerce platform's health across AWS, Kubernetes and Prometheus,
    asked in Chinese of a second server whose environment points at the platform's targets."""
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client
    from rich.markdown import Markdown

    from mcp_sre.agents.health.demo import QUESTION, ecommerce_platform

    out = demo.out
    assert demo.server is not None and demo.workdir is not None
    out.say(f"request: [bold]{QUESTION}[/bold]")
    with ecommerce_platform(demo.workdir / "platform") as platform_env:
        out.say("platform targets: " + ", ".join(sorted(platform_env)))
        params = StdioServerParameters(command=demo.server.command, args=demo.server.args,
                                       env={**(demo.server.env or {}), **platform_env})
        async with stdio_client(params) as (read, write), ClientSession(read, write) as s:
            await s.initialize()
            t = time.perf_counter()
            result = structured(await s.call_tool("health_report", {"scope": QUESTION,
                                                                     "lang": "zh"}))
    report = result["report"]
    out.console.print(Markdown(result["markdown"]))
    unhealthy = [c["name"] for c in report.get("components", [])
                 if c.get("status") == "unhealthy"]
    out.say(f"overall: {report.get('status')} score {report.get('score')}; unhealthy: "
            f"{', '.join(unhealthy) or 'none'} ({time.perf_counter() - t:.1f} s)")


async def manager_followup(demo: Demo) -> None:
    """The ManagerAgent: a request becomes a plan (a playbook, no model), then a follow-up in
    the same MCP session reuses what the first turn asked."""
    out, s = demo.out, demo.session
    for request in ("列出CPU>80%的EC2实例", "那CPU超过90%的呢?"):
        out.say(f"investigate: [bold]{request}[/bold]")
        t = time.perf_counter()
        result = structured(await s.call_tool("investigate", {"request": request}))
        out.table(["step", "agent", "status", "observed"],
                  [[st["id"], st["agent"], st["status"], st["summary"][:70] or st["note"][:70]]
                   for st in result["steps"]])
        out.panel(result["answer"], "green" if result["status"] == "finished" else "red")
        out.say(f"plan {result['plan']} ({result['source']}), run {result['run_id']}, "
                f"{time.perf_counter() - t:.1f} s; resolved as: {result['resolved']}")


STEPS: list[Step] = [
    Step("Find the operations for a request, in Chinese", find_operations),
    Step("Read the live spec of the operation", read_spec),
    Step("Run code in the wasmtime sandbox, read-only, against AWS (local emulator)",
         run_in_sandbox),
    Step("A write is refused by the policy, not by luck", write_refused),
    Step("Register working code as a new MCP tool", register_tool),
    Step("Call the new tool", call_new_tool),
    Step("Ask in other words: registered tools are found and reused, nothing generated",
         reuse_tools),
    Step("Business health across clouds, asked in Chinese (hard mode)", business_health),
    Step("The ManagerAgent plans, runs and remembers: a request and its follow-up",
         manager_followup),
]
