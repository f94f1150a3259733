"""The health report, end to end: collect -> scope -> collect per resource -> judge -> rank.

``HealthAgent`` takes its parts as arguments (plugin manager, operation lookup, configuration,
an optional rule learner) so the CLI, the MCP tool, the evaluation and the tests build the same
thing. It only reads: every call goes through the read-only bridge.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio

from mcp_sre.agents.health.adapter import DataAdapter, Observation
from mcp_sre.agents.health.collect import HostBridge, SourceResult, Window, collect_all
from mcp_sre.agents.health.config import HealthConfig, load_health_config
from mcp_sre.agents.health.evaluate import business_status, judge_component, problems_of
from mcp_sre.agents.health.rules import MappingFile, Rule, load_mapping_file
from mcp_sre.agents.health.schema import HealthReport, HealthStatus, SourceReport
from mcp_sre.agents.health.scope import assemble, discover_scopes, resolve_scope
from mcp_sre.errors import McpSreError
from mcp_sre.sandbox.bridge import OperationResolver

if TYPE_CHECKING:
    import pluggy

    from mcp_sre.specs.model import APISpec

__all__ = ["HealthAgent", "detect_language", "mapping_files"]

log = logging.getLogger("mcp_sre.health")
Progress = Callable[[float, float, str], Awaitable[None] | None]
Learner = Callable[[str, str, Any], Rule | None]
_CJK = re.compile(r"[\u3400-\u9fff]")


def detect_language(text: str) -> str:
    return "zh" if _CJK.search(text or "") else "en"


def mapping_files(pm: pluggy.PluginManager) -> list[MappingFile]:
    """Every plugin's mapping file (``health_mappings`` hook)."""
    files = []
    for paths in pm.hook.health_mappings() or []:
        for path in paths or []:
            files.append(load_mapping_file(Path(path)))
    return files


def _configured(mapping: MappingFile) -> bool:
    if not mapping.env and not mapping.files:
        return True
    return any(os.environ.get(v) for v in mapping.env) or any(
        Path(os.path.expanduser(f)).exists() for f in mapping.files
    )


class HealthAgent:
    """Builds health reports for businesses from whatever providers are configured."""

    def __init__(
        self,
        pm: pluggy.PluginManager,
        lookup: Callable[[str], APISpec],
        *,
        config: HealthConfig | None = None,
        home: Path | None = None,
        learner: Learner | None = None,
        providers: list[str] | None = None,
        context: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.pm = pm
        self.lookup = lookup
        self.config = config or load_health_config(home=home)
        self.home = home
        self.learner = learner
        self.context = context
        files = mapping_files(pm)
        self.mappings = [
            m
            for m in files
            if (providers is None or m.provider in providers)
            and (providers is not None or _configured(m))
        ]
        self.skipped = sorted({m.provider for m in files} - {m.provider for m in self.mappings})

    def warm(self) -> None:
        """Resolve every planned operation before the clock starts: loading specs is the
        catalog's cost, not the sources' (a cold catalog must not eat the time budget)."""
        resolve = OperationResolver(self.lookup, getattr(self.lookup, "names", None))
        for mapping in self.mappings:
            for call in mapping.calls:
                for op in (call.operation, call.then.operation if call.then else None):
                    if op:
                        try:
                            resolve(op)
                        except McpSreError as exc:  # reported when the call is made
                            log.debug("cannot resolve %s: %s", op, exc)

    def _bridge(self) -> HostBridge:
        audit = self.home / "audit.log" if self.home else None
        return HostBridge(
            self.pm,
            self.lookup,
            audit_path=audit,
            context=self.context,
            deadline=time.monotonic() + self.config.time_budget_s,
        )

    def _adapter(self) -> DataAdapter:
        return DataAdapter(self.mappings, home=self.home, learner=self.learner)

    async def list_scopes(self) -> dict[str, Any]:
        """Businesses the tags and labels reveal, and which sources could be read."""
        adapter = self._adapter()
        window = Window.now(self.config.window_minutes)
        await anyio.to_thread.run_sync(self.warm)
        results = await collect_all(
            self._bridge(), adapter, self.mappings, window.values(), phase=1
        )
        obs = [o for r in results for o in r.observations]
        return {
            "scopes": discover_scopes(obs, self.config.scope),
            "businesses": self.config.scope.businesses,
            "sources": [_source_report(r, adapter).model_dump() for r in results],
            "not_configured": self.skipped,
        }

    async def report(
        self,
        scope: str,
        *,
        lang: str | None = None,
        parallel: bool = True,
        progress: Progress | None = None,
    ) -> HealthReport:
        started = time.monotonic()
        lang = lang or detect_language(scope)
        window = Window.now(self.config.window_minutes)
        await anyio.to_thread.run_sync(self.warm)
        bridge, adapter = self._bridge(), self._adapter()

        async def step(done: float, message: str) -> None:
            if progress is not None:
                outcome = progress(done, 4, message)
                if outcome is not None:
                    await outcome

        names = ", ".join(m.provider for m in self.mappings) or "none"
        await step(0, f"reading resources, tags and states from: {names}")
        first = await collect_all(
            bridge, adapter, self.mappings, window.values(), phase=1, parallel=parallel
        )
        obs = [o for r in first for o in r.observations]
        scopes = discover_scopes(obs, self.config.scope)
        resolution = resolve_scope(scope, scopes, self.config.scope)
        report = HealthReport(
            scope=scope,
            language=lang,  # type: ignore[arg-type]
            window_minutes=window.minutes,
            status=HealthStatus.unknown,
            score=0.0,
        )
        if not resolution.values:
            report.candidates = resolution.candidates
            report.notes.append(_no_scope_note(scope, resolution.reason, lang))
            report.sources = [_source_report(r, adapter) for r in first]
            report.notes += _source_notes(report.sources, self.skipped, lang)
            report.seconds = round(time.monotonic() - started, 3)
            return report
        report.matched_values = sorted(resolution.values)
        report.business = resolution.named or resolution.business or report.matched_values[0]
        comps = assemble(obs, resolution.values, self.config.scope)
        await step(
            1, f"{len(comps)} resources belong to {scope}; reading their metrics, logs and traces"
        )
        items = _items(comps)
        scoped = {
            **window.values(),
            "scope_ids": {i for c in comps for i in c.ids} | {c.name for c in comps},
        }
        second = await collect_all(
            bridge, adapter, self.mappings, scoped, phase=2, items=items, parallel=parallel
        )
        obs += [o for r in second for o in r.observations]
        comps = assemble(obs, resolution.values, self.config.scope)
        failures = {k: v for r in second for k, v in r.item_errors.items()}
        for comp in comps:
            comp.errors = [failures[i] for i in sorted(comp.ids) if i in failures]
        await step(2, "judging signals against thresholds")
        business = resolution.business or next(iter(resolution.values))
        judged = [judge_component(c, self.config, business) for c in comps]
        rank = {
            HealthStatus.unhealthy: 0,
            HealthStatus.degraded: 1,
            HealthStatus.unknown: 2,
            HealthStatus.healthy: 3,
        }
        judged.sort(key=lambda c: (rank[c.status], c.score, c.name))
        report.components = judged
        report.status, report.score = business_status(judged, self.config)
        report.problems = problems_of(judged, self.config, lang)
        report.sources = _merge_sources(first, second, adapter)
        report.notes += _source_notes(report.sources, self.skipped, lang)
        unknown = [c.name for c in judged if c.status == HealthStatus.unknown]
        if unknown:
            report.notes.append(
                (
                    f"{len(unknown)} 个组件状态未知（无可读信号）："
                    if lang == "zh"
                    else f"{len(unknown)} components could not be judged: "
                )
                + ", ".join(unknown[:10])
            )
        await step(4, f"done: {report.status.value}, score {report.score:.0f}")
        report.seconds = round(time.monotonic() - started, 3)
        return report


def _items(comps: list[Any]) -> dict[str, dict[str, list[tuple[str, str]]]]:
    """provider -> kind -> [(id, name)] of the in-scope resources (for ``for_each`` calls)."""
    items: dict[str, dict[str, list[tuple[str, str]]]] = {}
    seen: set[tuple[str, str]] = set()
    for comp in comps:
        for member in comp.members:
            obs: Observation = member
            if not obs.component or obs.parent or (obs.provider, obs.id) in seen:
                continue
            seen.add((obs.provider, obs.id))
            items.setdefault(obs.provider, {}).setdefault(obs.kind, []).append((obs.id, obs.name))
    return items


def _source_report(result: SourceResult, adapter: DataAdapter) -> SourceReport:
    provider = result.provider
    unmapped = sorted({op for op in adapter.unmapped if op.split("/", 1)[0] == provider})
    return SourceReport(
        provider=provider,
        ok=result.ok,
        calls=result.calls,
        failed=result.failed,
        seconds=round(result.seconds, 3),
        error="; ".join(result.errors[:3]),
        unmapped=unmapped,
    )


def _merge_sources(
    first: list[SourceResult], second: list[SourceResult], adapter: DataAdapter
) -> list[SourceReport]:
    out = []
    for a in first:
        b = next((r for r in second if r.provider == a.provider), None)
        if b is not None:
            a.calls += b.calls
            a.failed += b.failed
            a.seconds += b.seconds
            a.errors += [e for e in b.errors if e not in a.errors]
            if b.item_errors:
                a.errors.append(
                    f"{len(b.item_errors)} per-resource reads failed, e.g. "
                    f"{next(iter(b.item_errors.values()))}"
                )
        out.append(_source_report(a, adapter))
    return out


def _source_notes(sources: list[SourceReport], skipped: list[str], lang: str) -> list[str]:
    notes = []
    for s in sources:
        if not s.ok:
            notes.append(
                (
                    f"数据源 {s.provider} 不可用，其资源无法查看："
                    if lang == "zh"
                    else f"source {s.provider} could not be read; its resources are not seen: "
                )
                + s.error
            )
        elif s.error:
            notes.append(f"{s.provider}: {s.error}")
        if s.unmapped:
            notes.append(
                (
                    f"{s.provider} 的以下响应格式没有映射规则，按未知处理："
                    if lang == "zh"
                    else f"{s.provider}: no mapping rule for "
                )
                + ", ".join(s.unmapped)
            )
    if skipped:
        notes.append(
            ("未配置的数据源：" if lang == "zh" else "sources not configured: ")
            + ", ".join(skipped)
        )
    return notes


def _no_scope_note(scope: str, reason: str, lang: str) -> str:
    if reason == "ambiguous":
        return (
            f"“{scope}”匹配到多个业务，请指定其中一个（见候选）。"
            if lang == "zh"
            else f"{scope!r} matches several businesses; name one of the candidates."
        )
    return (
        f"没有资源被标记为业务“{scope}”；现有的业务标签见候选。"
        if lang == "zh"
        else f"no resource is tagged or labelled as {scope!r}; the businesses that exist are "
        "listed as candidates."
    )
