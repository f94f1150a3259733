"""Health report over ~100 resources on AWS (moto), Kubernetes (the simulator) and Prometheus
(backfilled), built on local targets through the plugins' ``local_targets`` hook.

Run: ``python benchmarks/bench_health.py [--runs 3] [--instances 40] [--deployments 30]
[--services 30]``. Prints the p50 of the report with parallel collection, the p50 with the
providers and calls one after another, and the speed-up. Target: p50 <= 10 s on 2 cores.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
import time
from pathlib import Path

import anyio
import yaml

BASE = 1_700_000_000


def _aws(instances: int) -> list[dict]:
    calls: list[dict] = []
    for i in range(instances):
        name = f"shop-node-{i:03d}"
        calls.append(
            {
                "service": "ec2",
                "operation": "run_instances",
                "params": {
                    "ImageId": "ami-12c6146b",
                    "MinCount": 1,
                    "MaxCount": 1,
                    "InstanceType": "t3.micro",
                    "TagSpecifications": [
                        {
                            "ResourceType": "instance",
                            "Tags": [
                                {"Key": "Name", "Value": name},
                                {"Key": "business", "Value": "shop"},
                            ],
                        }
                    ],
                },
                "save": {f"i{i}": "Instances[0].InstanceId"},
            }
        )
        cpu = 95 if i % 17 == 3 else 30 + i % 20
        calls.append(
            {
                "service": "cloudwatch",
                "operation": "put_metric_data",
                "params": {
                    "Namespace": "AWS/EC2",
                    "MetricData": [
                        {
                            "MetricName": "CPUUtilization",
                            "Unit": "Percent",
                            "Timestamp": f"now-{m}m",
                            "Value": cpu,
                            "Dimensions": [{"Name": "InstanceId", "Value": f"${{i{i}}}"}],
                        }
                        for m in range(0, 60, 5)
                    ],
                },
            }
        )
    for g in range(4):
        group = f"/shop/app-{g}"
        calls += [
            {
                "service": "logs",
                "operation": "create_log_group",
                "params": {"logGroupName": group, "tags": {"business": "shop"}},
            },
            {
                "service": "logs",
                "operation": "create_log_stream",
                "params": {"logGroupName": group, "logStreamName": "s"},
            },
            {
                "service": "logs",
                "operation": "put_log_events",
                "params": {
                    "logGroupName": group,
                    "logStreamName": "s",
                    "logEvents": [
                        {
                            "timestamp": f"now-{30 - k}m:ms",
                            "message": "ERROR boom" if g == 0 and k % 2 else "INFO ok",
                        }
                        for k in range(30)
                    ],
                },
            },
        ]
    return calls


def _scenario(deployments: int) -> dict:
    nodes = [f"node-{c}" for c in "abc"]
    objects: list[dict] = [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "shop", "labels": {"business": "shop"}},
        }
    ]
    for n in nodes:
        objects.append(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": n},
                "status": {"conditions": [{"type": "Ready", "status": "True"}]},
            }
        )
    for d in range(deployments):
        name, ready = f"svc-{d:02d}", 1 if d == 7 else 2
        objects.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": name, "namespace": "shop", "labels": {"app": name}},
                "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}}},
                "status": {
                    "replicas": 2,
                    "readyReplicas": ready,
                    "conditions": [{"type": "Available", "status": "True"}],
                },
            }
        )
        for p in range(2):
            waiting = d == 7 and p == 1
            objects.append(
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {
                        "name": f"{name}-5d8f-{p}",
                        "namespace": "shop",
                        "labels": {"app": name, "pod-template-hash": "5d8f"},
                        "ownerReferences": [{"kind": "ReplicaSet", "name": f"{name}-5d8f"}],
                    },
                    "spec": {"nodeName": nodes[(d + p) % 3]},
                    "status": {
                        "phase": "Running",
                        "containerStatuses": [
                            {
                                "name": name,
                                "restartCount": 9 if waiting else 0,
                                "state": {"waiting": {"reason": "CrashLoopBackOff"}}
                                if waiting
                                else {"running": {}},
                            }
                        ],
                    },
                }
            )
    return {"name": "bench", "objects": objects}


def _metrics(services: int) -> str:
    lines = ["# TYPE up gauge"]
    req = ["# TYPE http_requests counter"]
    for s in range(services):
        labels = f'service="api-{s:02d}",business="shop"'
        err = 0.1 if s == 5 else 0.001
        for k in range(61):
            t = BASE + 60 * k
            lines.append(f"up{{{labels}}} 1 {t}")
            req.append(f'http_requests_total{{{labels},code="200"}} {600 * k * (1 - err):.1f} {t}')
            req.append(f'http_requests_total{{{labels},code="500"}} {600 * k * err:.1f} {t}')
    return "\n".join(lines + req) + "\n# EOF\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--instances", type=int, default=40)
    parser.add_argument("--deployments", type=int, default=30)
    parser.add_argument("--services", type=int, default=30)
    args = parser.parse_args()

    from mcp_sre.agents.health.report import HealthAgent
    from mcp_sre.config import load_settings
    from mcp_sre.sandbox.runner import CatalogOperations
    from mcp_sre.specs.catalog import SpecCatalog

    work = Path(tempfile.mkdtemp(prefix="bench-health-"))
    files = {
        "aws.yaml": yaml.safe_dump(_aws(args.instances)),
        "scenario.yaml": yaml.safe_dump(_scenario(args.deployments)),
        "metrics.om": _metrics(args.services),
    }
    for name, text in files.items():
        (work / name).write_text(text)
    catalog = SpecCatalog(load_settings())
    pm = catalog.pm
    targets = {k: v for found in pm.hook.local_targets() for k, v in found.items()}
    t0 = time.perf_counter()
    with contextlib.ExitStack() as stack:
        for name, (provider, factory) in targets.items():
            if name in files:
                os.environ.update(stack.enter_context(factory(work / name, work / provider)))
        print(f"targets built in {time.perf_counter() - t0:.1f} s")
        agent = HealthAgent(
            pm,
            CatalogOperations(catalog),
            home=work / "home",
            providers=["aws", "kubernetes", "prometheus"],
        )
        warm = anyio.run(lambda: agent.report("shop"))
        print(
            f"warm-up: {len(warm.components)} components, status {warm.status.value}, "
            f"{sum(s.calls for s in warm.sources)} reads, {warm.seconds:.2f} s"
        )
        times: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(args.runs):
            for parallel in (True, False):
                report = anyio.run(lambda p=parallel: agent.report("shop", parallel=p))
                times[parallel].append(report.seconds)
    par, seq = statistics.median(times[True]), statistics.median(times[False])
    bad = sorted(c.name for c in report.components if c.status.value == "unhealthy")
    print(f"components {len(report.components)}; unhealthy: {', '.join(bad)}")
    print(f"parallel   p50 {par:.2f} s  runs {[round(t, 2) for t in times[True]]}")
    print(f"sequential p50 {seq:.2f} s  runs {[round(t, 2) for t in times[False]]}")
    print(f"speed-up {seq / par:.2f}x  (target: parallel p50 <= 10 s)")


if __name__ == "__main__":
    main()
