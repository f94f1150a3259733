"""Reuse of the starter library: one request per shipped tool sent to ``find_tool`` over a real
MCP stdio session, in passes -- the tool's own request, a paraphrase, and a held-out paraphrase
written after the descriptions were final -- plus requests no tool answers (negatives); and the
time to answer a reused request vs. a generated one.

    python benchmarks/bench_reuse.py [--json] [--no-calls]

* **reuse rate** per pass: the share of requests for which ``find_tool`` says ``reuse`` *and*
  names the tool the request was written for (reusing another tool counts as a miss, listed as
  "wrong tool"); also how often the right tool is ranked first, and the rate at other
  thresholds next to how many negatives would then reuse a tool (for calibrating it).
* **reused request**: ``find_tool`` + calling the tool (its code in the sandbox against the
  local targets), p50 over every shipped tool.
* **generated request**: cannot be run without a model, so it is bounded from below by what the
  generate path costs besides the model's writing: a ``find_tool`` miss, ``register_tool``
  (static checks, security review, the test in the sandbox) and the first call -- measured by
  re-registering a few shipped tools as new versions in a throw-away copy of the registry. The
  model's own time (seconds to minutes per attempt) comes on top.

The server runs on a copy of ``tool_registry/`` and a temporary MCP_SRE_HOME (nothing of yours
changes); the local targets are moto (seeded) and the local Kubernetes endpoint.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import anyio
import yaml

ROOT = Path(__file__).resolve().parents[1]

# tool -> (pass 2: a paraphrase in other words). Pass 1 is the request stored with the tool
# (manifest.yaml `request`). Written before the first run; not tuned to the matcher.
PARAPHRASES: dict[str, str] = {
    "ec2_instances_high_cpu": "any EC2 servers pegged near 100% processor lately?",
    "ebs_volumes_unattached": "orphaned EBS volumes we still pay for",
    "ec2_instances_stopped": "EC2 machines that are powered off",
    "elb_unhealthy_targets": "负载均衡后端哪些实例不健康",
    "cloudwatch_alarms_firing": "现在有哪些 CloudWatch 报警在响",
    "log_group_error_count": "number of ERROR lines logged to /shop/checkout in the past 30 "
                             "minutes",
    "xray_slow_traces": "high-latency requests recorded by X-Ray",
    "security_groups_open_to_internet": "firewall rules that let the whole internet in on port 22",
    "s3_buckets_unencrypted_or_public": "S3 buckets missing server-side encryption",
    "iam_users_no_mfa": "IAM accounts lacking two-factor authentication",
    "log_groups_no_retention": "CloudWatch log groups with no expiry configured",
    "pods_not_ready": "哪些 Pod 没有就绪",
    "crash_looping_pods": "containers that keep crashing and restarting, with the reason they "
                         "died",
    "k8s_warning_events": "recent cluster events of type Warning",
    "nodes_under_pressure": "which k8s nodes report memory or disk pressure",
    "stuck_rollouts": "deployment rollout not progressing",
    "pending_pvcs": "persistent volume claims that never got bound",
    "image_pull_errors": "ImagePullBackOff 镜像拉不下来的容器",
    "namespace_resource_summary": "per-namespace totals of CPU and memory requests",
    "services_no_endpoints": "Service 没有后端 Pod, endpoints 为空",
    "recent_pod_restarts": "containers restarted during the past 30 minutes",
    "failed_jobs": "cronjob runs that errored out",
    "hpa_at_limits": "horizontal pod autoscaler hitting its replica ceiling",
    "pods_no_resource_limits": "containers running with no memory limit configured",
    "node_allocation": "how much of each node's allocatable CPU and memory is already requested",
    # Tools of providers the benchmark has no local target for: matched, never called.
    "gcp_instances_status": "GCE virtual machines in my Google Cloud project and whether they run",
    "gcp_instances_high_cpu": "谷歌云上 CPU 很高的虚拟机",
    "gcp_recent_error_logs": "latest ERROR entries in Google Cloud Logging",
    "azure_vms_status": "Azure VMs that are deallocated or stopped",
    "azure_vms_high_cpu": "Azure 虚拟机 CPU 使用率过高",
    "azure_activity_log_errors": "failed operations recorded in the Azure activity log today",
    "volcengine_ecs_instances_high_cpu": "火山引擎 ECS 哪些实例 CPU 超过 80%",
    "volcengine_ecs_instances_by_status": "Volcano Engine cloud servers grouped by status",
    "volcengine_recent_error_events": "recent error events on Volcano Engine",
}
# Pass 3 (reported apart): paraphrases written after the descriptions were final, never used
# to change them -- the fair measure of what a user's new wording gets.
HELDOUT: dict[str, str] = {
    "ec2_instances_high_cpu": "instances burning a lot of CPU",
    "ebs_volumes_unattached": "EBS volumes sitting in available state",
    "ec2_instances_stopped": "which EC2 instances are not running because someone stopped them",
    "elb_unhealthy_targets": "ALB targets marked unhealthy",
    "cloudwatch_alarms_firing": "which alarms are triggered in CloudWatch",
    "log_group_error_count": "error rate in CloudWatch Logs for the payments log group",
    "xray_slow_traces": "X-Ray traces slower than 2 seconds",
    "security_groups_open_to_internet": "SSH open to 0.0.0.0/0 in any security group?",
    "s3_buckets_unencrypted_or_public": "S3 buckets that are not encrypted",
    "iam_users_no_mfa": "IAM users that have not set up MFA",
    "log_groups_no_retention": "log groups that never expire",
    "pods_not_ready": "pods that are not in ready state in production",
    "crash_looping_pods": "pods in CrashLoopBackOff",
    "k8s_warning_events": "kubernetes events with type Warning in the last 30 minutes",
    "nodes_under_pressure": "节点有内存压力吗",
    "stuck_rollouts": "deployments that failed to roll out",
    "pending_pvcs": "PVC stuck in Pending",
    "image_pull_errors": "pods that can't pull images",
    "namespace_resource_summary": "namespace resource usage overview",
    "services_no_endpoints": "services with zero endpoints",
    "recent_pod_restarts": "pods that restarted recently",
    "failed_jobs": "kubernetes jobs that failed",
    "hpa_at_limits": "HPA at max replicas",
    "pods_no_resource_limits": "pods missing resource limits",
    "node_allocation": "node CPU and memory allocation percentage",
    "gcp_instances_status": "list compute engine instances",
    "gcp_instances_high_cpu": "GCP VMs with CPU over 80 percent",
    "gcp_recent_error_logs": "GCP 最近的错误日志",
    "azure_vms_status": "power state of my Azure virtual machines",
    "azure_vms_high_cpu": "busy Azure VMs by CPU",
    "azure_activity_log_errors": "Azure 活动日志里失败的操作",
    "volcengine_ecs_instances_high_cpu": "Volcano Engine ECS instances with high CPU",
    "volcengine_ecs_instances_by_status": "火山引擎云服务器的运行状态",
    "volcengine_recent_error_events": "Volcano Engine CloudMonitor error events in the last day",
}
# Requests no shipped tool answers: reusing a tool for one of them is a false reuse.
NEGATIVES: tuple[str, ...] = (
    "list all pods in namespace shop",
    "describe EC2 instance i-0abc1234",
    "how many EC2 instances are running",
    "show the bucket policy of shop-artifacts",
    "get the logs of pod checkout",
    "list Lambda functions",
    "list kubernetes namespaces",
    "which RDS databases are running",
    "list ConfigMaps in kube-system",
    "show Route53 hosted zones",
    "列出所有 S3 存储桶",
    "scale deployment checkout to 3 replicas",
)
THRESHOLDS = (0.5, 0.6, 0.7, 0.8)  # of find_tool's confidence
# Arguments for tools with required parameters, when the benchmark calls them.
CALL_ARGS: dict[str, dict[str, Any]] = {"log_group_error_count": {"log_group": "/shop/checkout"}}
GENERATED_SAMPLE = ("ebs_volumes_unattached", "cloudwatch_alarms_firing", "pods_not_ready",
                    "stuck_rollouts", "nodes_under_pressure")


Finder = Callable[[str], Awaitable[dict[str, Any]]]


def _manifest() -> list[dict[str, Any]]:
    return yaml.safe_load((ROOT / "tool_registry_src" / "manifest.yaml").read_text("utf-8"))


def _data(result: Any) -> Any:
    if result.is_error:
        raise RuntimeError(" ".join(getattr(c, "text", "") for c in result.content))
    if result.structured_content is not None:
        data = result.structured_content
        return data["result"] if set(data) == {"result"} else data
    return json.loads(result.content[0].text)


async def _passes(find: Finder, manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Every request of every pass through ``find``; one row each."""
    passes = {"original": {n: e["request"] for n, e in manifest.items()},
              "paraphrase": PARAPHRASES, "heldout": HELDOUT,
              "negative": {f"none-{i}": q for i, q in enumerate(NEGATIVES)}}
    rows = []
    for pass_name, requests in passes.items():
        for tool, request in requests.items():
            started = time.perf_counter()
            found = await find(request)
            ms = (time.perf_counter() - started) * 1000
            best = found["matches"][0] if found["matches"] else {"name": None, "similarity": 0}
            rows.append({"pass": pass_name, "tool": tool if pass_name != "negative" else None,
                         "request": request, "reuse": found.get("reuse"), "top": best["name"],
                         "similarity": float(best["similarity"]),
                         # what find_tool's threshold applies to
                         "confidence": float(best.get("confidence", best["similarity"])),
                         "find_ms": round(ms, 1)})
    return rows


def _summary(rows: list[dict[str, Any]], threshold: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    negatives = [r for r in rows if r["pass"] == "negative"]
    for name in ("original", "paraphrase", "heldout"):
        part = [r for r in rows if r["pass"] == name]
        sweep = {}
        for t in sorted({*THRESHOLDS, threshold}):
            hits = sum(r["top"] == r["tool"] and r["confidence"] >= t for r in part)
            wrong = sum(r["top"] != r["tool"] and r["confidence"] >= t for r in part)
            false = sum(r["confidence"] >= t for r in negatives)
            sweep[f"{t:.2f}"] = {"rate": round(hits / len(part), 3), "wrong_tool": wrong,
                                 "negatives_reused": false}
        out[name] = {"requests": len(part),
                     "reused": sum(r["reuse"] == r["tool"] for r in part),
                     "rate": round(sum(r["reuse"] == r["tool"] for r in part) / len(part), 3),
                     "wrong_reuse": sum(bool(r["reuse"]) and r["reuse"] != r["tool"]
                                        for r in part),
                     "top1": round(sum(r["top"] == r["tool"] for r in part) / len(part), 3),
                     "find_ms_p50": _p50([r["find_ms"] for r in part]), "by_threshold": sweep}
    out["negative"] = {"requests": len(negatives),
                       "reused": sum(bool(r["reuse"]) for r in negatives)}
    return out


async def _serve(env: dict[str, str], manifest: dict[str, Any], calls: bool,
                 sources: dict[str, Any]) -> dict[str, Any]:
    """find_tool over a real MCP stdio session; then tool calls and registrations."""
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(command=sys.executable, args=["-m", "mcp_sre", "serve"],
                                   env=env, cwd=str(ROOT))
    out: dict[str, Any] = {"call_ms": [], "generated_ms": [], "threshold": None}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()

        async def find(request: str) -> dict[str, Any]:
            found = _data(await session.call_tool("find_tool", {"request": request,
                                                                "limit": 3}))
            out["threshold"] = found.get("threshold")
            return found

        await find("warm up the matcher")  # loading the vocabulary is not a request's cost
        out["rows"] = await _passes(find, manifest)
        if not calls:
            return out
        _data(await session.call_tool("nodes_under_pressure", {}))  # first run compiles
        for name in _locally_served(manifest):  # a reused request = find_tool + this call
            started = time.perf_counter()
            _data(await session.call_tool(name, CALL_ARGS.get(name, {})))
            out["call_ms"].append((time.perf_counter() - started) * 1000)
        for name in GENERATED_SAMPLE:  # the generate path minus the model's writing time
            started = time.perf_counter()
            await find(f"{sources[name]['request']} (new wording)")
            _data(await session.call_tool("register_tool", sources[name]["arguments"]))
            _data(await session.call_tool(name, CALL_ARGS.get(name, {})))
            out["generated_ms"].append((time.perf_counter() - started) * 1000)
    return out


# Providers the benchmark starts local targets for (moto, k8s-sim); other tools are matched
# (they compete in find_tool like in a user's registry) but not called.
LOCAL_PROVIDERS = {"aws", "kubernetes"}


def _locally_served(manifest: dict[str, Any]) -> list[str]:
    out = []
    for name in manifest:
        metas = sorted((ROOT / "tool_registry" / name).glob("v*/meta.json"))
        providers = set(json.loads(metas[-1].read_text())["providers"]) if metas else set()
        if providers <= LOCAL_PROVIDERS:
            out.append(name)
    return out


def _p50(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _print(title: str, summary: dict[str, Any], threshold: float) -> None:
    print(title)
    for name in ("original", "paraphrase", "heldout"):
        p = summary[name]
        sweep = "  ".join(f"{t}: {100 * v['rate']:.0f} %/{v['negatives_reused']} neg"
                          for t, v in p["by_threshold"].items())
        print(f"  {name:<10} reused {p['reused']}/{p['requests']} = {100 * p['rate']:3.0f} % at "
              f"{threshold} (wrong tool {p['wrong_reuse']}); right tool first "
              f"{100 * p['top1']:.0f} %; find p50 {p['find_ms_p50']} ms")
        print(f"             reuse rate / negatives reused, by threshold: {sweep}")
    neg = summary["negative"]
    print(f"  negatives  {neg['reused']}/{neg['requests']} reused a tool (should be 0)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Starter-library reuse benchmark")
    parser.add_argument("--json", action="store_true", help="Print one JSON document")
    parser.add_argument("--no-calls", action="store_true",
                        help="Only find_tool (no local targets, no tool runs or registrations)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "tool_registry_src"))
    from seed import load_sources

    from mcp_sre_demo.targets import local_aws, local_kubernetes, merged_env

    manifest = {e["name"]: e for e in _manifest()}
    for table in (PARAPHRASES, HELDOUT):
        if set(table) != set(manifest):
            raise SystemExit(f"paraphrases do not match the manifest: "
                             f"{sorted(set(table) ^ set(manifest))}")
    sources = {t.name: {"request": t.request, "arguments": t.arguments()}
               for t in load_sources()}
    work = Path(tempfile.mkdtemp(prefix="mcp-sre-bench-reuse-"))
    registry = work / "tool_registry"
    shutil.copytree(ROOT / "tool_registry", registry,
                    ignore=shutil.ignore_patterns(".lock", ".removed"))
    started = time.perf_counter()
    report: dict[str, Any] = {"tools": len(manifest)}
    try:
        with ExitStack() as stack:
            parts = [{"MCP_SRE_REGISTRY_DIR": str(registry), "MCP_SRE_HOME": str(work / "home"),
                      "MCP_SRE_OFFLINE": "1"}]
            if not args.no_calls:
                aws_env, _ = stack.enter_context(local_aws(work))
                k8s_env, _ = stack.enter_context(local_kubernetes(work, "crashloop"))
                parts = [aws_env, k8s_env, *parts]
            served = anyio.run(_serve, merged_env(*parts), manifest, not args.no_calls,
                               sources)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    threshold = served["threshold"]
    report["server"] = _summary(served["rows"], threshold)
    report["misses"] = [r for r in served["rows"] if r["reuse"] != r["tool"]]
    find_p50 = _p50([r["find_ms"] for r in served["rows"]])
    if served["call_ms"]:
        report["reused_request_ms_p50"] = round(find_p50 + _p50(served["call_ms"]), 1)
        report["tool_call_ms_p50"] = _p50(served["call_ms"])
        report["generated_request_ms_p50_without_model"] = _p50(served["generated_ms"])
    shipped = [json.loads(p.read_text())["test_result"]["duration_ms"]
               for p in sorted((ROOT / "tool_registry").glob("*/v*/meta.json"))]
    report["shipped_sandbox_test_ms_p50"] = _p50(shipped)
    report["wall_s"] = round(time.perf_counter() - started, 1)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    _print(f"starter library reuse: {len(manifest)} requests (one per tool) per pass, via "
           f"find_tool on `mcp-sre serve` (matcher as shipped)", report["server"], threshold)
    for row in report["misses"]:
        if row["pass"] in ("paraphrase", "negative"):
            what = "not reused" if row["tool"] else "reused"
            print(f"    {what} [{row['pass']}] {row['tool'] or ''}: {row['request']!r} -> "
                  f"{row['top']} (similarity {row['similarity']:.2f}, "
                  f"confidence {row['confidence']:.2f})")
    if served["call_ms"]:
        print(f"  reused request: find_tool p50 {find_p50} ms + tool call p50 "
              f"{report['tool_call_ms_p50']} ms = {report['reused_request_ms_p50']} ms")
        print(f"  generated request, model time excluded (find miss + register_tool: checks, "
              f"review, sandbox test + first call), p50 of {len(served['generated_ms'])}: "
              f"{report['generated_request_ms_p50_without_model']} ms")
    print(f"  sandbox test time of the shipped tools at registration, p50: "
          f"{report['shipped_sandbox_test_ms_p50']} ms")
    print(f"  ({report['wall_s']} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
