"""The Prometheus metrics mcp-sre exports, on one registry per server (tests stay isolated).

Counters and histograms are updated at the seams (tool calls, sandbox runs, bridge calls,
searches, LLM calls, code generation, agent runs); the spec sources' freshness and the tool
registry's size are read when Prometheus scrapes, from providers the server registers.
Every name starts with ``mcp_sre_``; ``deploy/`` (alerts, dashboards) uses only these.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

__all__ = ["LATENCY_BUCKETS", "Metrics", "SourceFreshness"]

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
LIMIT_KINDS = {"timeout": "time", "memory_limit": "memory", "output_limit": "output"}


class SourceFreshness:
    """One spec source's state as the catalog reports it (see ``SpecCatalog.status``)."""

    __slots__ = ("age_s", "error", "name", "operations", "provider", "stale")

    def __init__(
        self,
        name: str,
        provider: str,
        age_s: float | None,
        stale: bool,
        error: bool,
        operations: int,
    ) -> None:
        self.name, self.provider, self.age_s = name, provider, age_s
        self.stale, self.error, self.operations = stale, error, operations


class _StateCollector(Collector):
    """Gauges computed at scrape time from what the server holds (cached for ``ttl_s``, so
    a scrape storm does not re-read the spec store)."""

    def __init__(self, ttl_s: float = 15.0) -> None:
        self.sources: Callable[[], Iterable[SourceFreshness]] | None = None
        self.registry_size: Callable[[], dict[str, int]] | None = None
        self.ttl_s = ttl_s
        self._cache: tuple[float, list[Any]] | None = None
        self._lock = threading.Lock()

    def describe(self) -> list[Any]:
        return []  # computed lazily; never read at registration

    def collect(self) -> Iterator[Any]:
        with self._lock:
            if self._cache is None or time.monotonic() - self._cache[0] > self.ttl_s:
                self._cache = (time.monotonic(), list(self._compute()))
            yield from self._cache[1]

    def invalidate(self) -> None:
        with self._lock:
            self._cache = None

    def _compute(self) -> Iterator[Any]:
        if self.sources is not None:
            age = GaugeMetricFamily(
                "mcp_sre_spec_source_age_seconds",
                "Seconds since the source was last confirmed current",
                labels=["source", "provider"],
            )
            stale = GaugeMetricFamily(
                "mcp_sre_spec_source_stale",
                "1 when the source is past its TTL or its last refresh failed",
                labels=["source", "provider"],
            )
            error = GaugeMetricFamily(
                "mcp_sre_spec_source_last_refresh_failed",
                "1 when the last refresh of the source failed",
                labels=["source", "provider"],
            )
            ops = GaugeMetricFamily(
                "mcp_sre_spec_source_operations",
                "Operations parsed from the source",
                labels=["source", "provider"],
            )
            try:
                rows = list(self.sources())
            except Exception:  # a broken store must not break the scrape
                rows = []
            for row in rows:
                labels = [row.name, row.provider]
                if row.age_s is not None:
                    age.add_metric(labels, row.age_s)
                stale.add_metric(labels, float(row.stale))
                error.add_metric(labels, float(row.error))
                ops.add_metric(labels, float(row.operations))
            yield from (age, stale, error, ops)
        if self.registry_size is not None:
            size = GaugeMetricFamily(
                "mcp_sre_registry_tools",
                "Registered tools by status (exposed: in tools/list)",
                labels=["status"],
            )
            try:
                counts = self.registry_size()
            except Exception:
                counts = {}
            for status, count in sorted(counts.items()):
                size.add_metric([status], float(count))
            yield size


class Metrics:
    """Every metric, registered on ``registry`` (a fresh one by default)."""

    def __init__(self, registry: CollectorRegistry | None = None, version: str = "") -> None:
        self.registry = r = registry or CollectorRegistry()
        Info("mcp_sre_build", "mcp-sre version", registry=r).info({"version": version})
        self.tool_calls = Counter(
            "mcp_sre_tool_calls",
            "MCP tool calls by tool and outcome (ok, error)",
            ["tool", "outcome"],
            registry=r,
        )
        self.tool_latency = Histogram(
            "mcp_sre_tool_call_duration_seconds",
            "MCP tool call latency",
            ["tool"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.sandbox_runs = Counter(
            "mcp_sre_sandbox_runs",
            "Sandbox runs by outcome (ok or the error type)",
            ["outcome"],
            registry=r,
        )
        self.sandbox_latency = Histogram(
            "mcp_sre_sandbox_run_duration_seconds",
            "Sandbox run wall time",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.sandbox_limits = Counter(
            "mcp_sre_sandbox_limit_hits",
            "Runs stopped by a limit (time, memory, output)",
            ["kind"],
            registry=r,
        )
        self.bridge_calls = Counter(
            "mcp_sre_bridge_calls",
            "Bridged cloud calls by provider, "
            "operation access (read, write, unknown) and decision "
            "(allowed, denied, invalid)",
            ["provider", "access", "decision"],
            registry=r,
        )
        self.bridge_errors = Counter(
            "mcp_sre_bridge_call_errors",
            "Allowed calls that failed, by provider and error type",
            ["provider", "type"],
            registry=r,
        )
        self.bridge_latency = Histogram(
            "mcp_sre_bridge_call_duration_seconds",
            "Host time per allowed bridged call",
            ["provider"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.retrieval_latency = Histogram(
            "mcp_sre_retrieval_duration_seconds",
            "Operation search latency",
            ["mode"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.retrieval_rank = Histogram(
            "mcp_sre_retrieval_called_rank",
            "Rank (1 = first) in "
            "the latest search of each operation that registered "
            "code calls; absent from the searches: +Inf",
            buckets=(1, 2, 3, 5, 10, 20, 50),
            registry=r,
        )
        self.codegen_runs = Counter(
            "mcp_sre_codegen_runs",
            "Code generation runs by outcome (ok, failed) and rounds used (1, 2, 3, more)",
            ["outcome", "rounds"],
            registry=r,
        )
        self.tool_requests = Counter(
            "mcp_sre_tool_requests",
            "generate_tool requests by path: reused (a registered tool), generated, context_pack",
            ["path"],
            registry=r,
        )
        self.llm_calls = Counter(
            "mcp_sre_llm_calls",
            "LLM calls by model, source (endpoint, sampling) and outcome",
            ["model", "source", "outcome"],
            registry=r,
        )
        self.llm_tokens = Counter(
            "mcp_sre_llm_tokens",
            "LLM tokens by model and direction (input, output)",
            ["model", "direction"],
            registry=r,
        )
        self.llm_cost = Counter(
            "mcp_sre_llm_cost",
            "LLM cost by model, in the currency of the configured prices",
            ["model"],
            registry=r,
        )
        self.llm_latency = Histogram(
            "mcp_sre_llm_call_duration_seconds",
            "LLM call latency",
            ["source"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.agent_runs = Counter(
            "mcp_sre_agent_runs",
            "Agent runs by agent and outcome",
            ["agent", "outcome"],
            registry=r,
        )
        self.agent_latency = Histogram(
            "mcp_sre_agent_run_duration_seconds",
            "Agent run time",
            ["agent"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.agent_steps = Counter(
            "mcp_sre_agent_steps", "Agent steps by agent and kind", ["agent", "kind"], registry=r
        )
        self.tools_exposed = Gauge(
            "mcp_sre_tools_exposed",
            "Registered tools listed in tools/list (the tool budget)",
            registry=r,
        )
        self.state = _StateCollector()
        r.register(self.state)

    def names(self) -> set[str]:
        """Every sample name this registry can export (for checks of dashboards/alerts)."""
        names = set()
        for family in self.registry.collect():
            kind = family.type
            base = family.name
            if kind == "counter":
                names |= {base + "_total", base + "_created"}
            elif kind == "histogram":
                names |= {base + "_bucket", base + "_sum", base + "_count", base + "_created"}
            elif kind == "info":
                names.add(base + "_info")
            else:
                names.add(base)
        return names
