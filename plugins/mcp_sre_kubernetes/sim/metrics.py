"""``metrics.k8s.io/v1beta1``: node and pod usage as metrics-server serves it, from a scenario's
``metrics`` section, so ``kubectl top`` and HPAs have numbers to read.

A cluster without metrics-server has no such API, so the simulator serves it only when the
scenario has the section. Usage is printed the way metrics-server prints it (CPU in nanocores,
memory in Ki). ``history`` holds earlier samples (oldest first) for readers that want a trend;
the API itself, like the real one, answers only with the latest.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mcp_sre_kubernetes.sim.quantity import parse_quantity
from mcp_sre_kubernetes.sim.routes import APIResource

__all__ = [
    "METRICS_GROUP",
    "METRICS_VERSION",
    "MetricsSample",
    "MetricsSection",
    "Usage",
    "metrics_objects",
    "metrics_resources",
    "pod_usage",
]

METRICS_GROUP, METRICS_VERSION = "metrics.k8s.io", "v1beta1"


class Usage(BaseModel):
    """Resource usage of one container or node."""

    model_config = ConfigDict(extra="forbid")

    cpu: str = Field(default="0", description="CPU in use, a quantity (250m, 1.5)")
    memory: str = Field(default="0", description="Memory in use (working set), e.g. 251Mi")


class MetricsSample(BaseModel):
    """Usage at one moment: nodes by name, pods as 'namespace/pod' -> container -> usage."""

    model_config = ConfigDict(extra="forbid")

    at: str | None = Field(default=None, description="When sampled (now-5m style); None = now")
    nodes: dict[str, Usage] = Field(default_factory=dict, description="Node name -> usage")
    pods: dict[str, dict[str, Usage]] = Field(
        default_factory=dict, description="'namespace/pod' -> container -> usage")


class MetricsSection(MetricsSample):
    """The latest sample (what the API serves), its window, and optional earlier samples."""

    window: str = Field(default="30s", description="Window the usage was averaged over")
    history: list[MetricsSample] = Field(
        default_factory=list, description="Earlier samples, oldest first")


def metrics_resources() -> list[APIResource]:
    verbs = {"get", "list"}
    return [APIResource(METRICS_GROUP, METRICS_VERSION, "nodes", "NodeMetrics", False, set(verbs)),
            APIResource(METRICS_GROUP, METRICS_VERSION, "pods", "PodMetrics", True, set(verbs))]


def _printed(usage: Usage) -> dict[str, str]:
    cpu = parse_quantity(usage.cpu) * Decimal(10) ** 9
    memory = parse_quantity(usage.memory) / 1024
    return {"cpu": f"{int(cpu)}n", "memory": f"{int(memory.to_integral_value())}Ki"}


def metrics_objects(section: MetricsSection, pods: dict[tuple[str, str], dict[str, Any]],
                    nodes: dict[str, dict[str, Any]], now: str) -> list[dict[str, Any]]:
    """NodeMetrics and PodMetrics objects for the latest sample. Raises ``KeyError`` naming a
    pod or node the scenario does not have (metrics-server reports only what runs)."""
    stamp = section.at or now
    out: list[dict[str, Any]] = []
    for name, usage in sorted(section.nodes.items()):
        if name not in nodes:
            raise KeyError(f"node {name!r}")
        labels = (nodes[name].get("metadata") or {}).get("labels") or {}
        out.append({"apiVersion": f"{METRICS_GROUP}/{METRICS_VERSION}", "kind": "NodeMetrics",
                    "metadata": {"name": name, "creationTimestamp": now, "labels": labels},
                    "timestamp": stamp, "window": section.window, "usage": _printed(usage)})
    for ref, containers in sorted(section.pods.items()):
        ns, _, name = ref.partition("/")
        pod = pods.get((ns, name))
        if pod is None:
            raise KeyError(f"pod {ref!r}")
        known = {c.get("name") for c in (pod.get("spec") or {}).get("containers") or []}
        for container in containers:
            if container not in known:
                raise KeyError(f"container {container!r} of pod {ref!r}")
        out.append({"apiVersion": f"{METRICS_GROUP}/{METRICS_VERSION}", "kind": "PodMetrics",
                    "metadata": {"name": name, "namespace": ns, "creationTimestamp": now,
                                 "labels": (pod.get("metadata") or {}).get("labels") or {}},
                    "timestamp": stamp, "window": section.window,
                    "containers": [{"name": c, "usage": _printed(u)}
                                   for c, u in containers.items()]})
    return out


def pod_usage(section: MetricsSection | None, namespace: str, pod: str) -> dict[str, Decimal]:
    """Total usage of one pod's containers by resource name (empty when it has no metrics)."""
    if section is None or f"{namespace}/{pod}" not in section.pods:
        return {}
    total: dict[str, Decimal] = {"cpu": Decimal(0), "memory": Decimal(0)}
    for usage in section.pods[f"{namespace}/{pod}"].values():
        total["cpu"] += parse_quantity(usage.cpu)
        total["memory"] += parse_quantity(usage.memory)
    return total
