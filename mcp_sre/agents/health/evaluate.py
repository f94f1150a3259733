"""Judge each component's signals against the thresholds; score and rank.

A component's status is the worst of the signals that could be judged; a signal with no data
(or a unit no threshold knows) is ``unknown`` -- it costs a few points and is reported, but is
never read as zero. The score is 100 minus one deduction per bad signal, each naming it.
"""

from __future__ import annotations

import re
from collections import defaultdict

from mcp_sre.agents.health.adapter import Observation, Point
from mcp_sre.agents.health.config import HealthConfig, MetricThreshold
from mcp_sre.agents.health.schema import (
    ComponentHealth,
    Deduction,
    HealthStatus,
    LogHealth,
    MetricHealth,
    Problem,
    ResourceHealth,
    TraceHealth,
    worst,
)
from mcp_sre.agents.health.scope import Component

__all__ = ["business_status", "judge_component", "problems_of"]

H, D, U, K = (
    HealthStatus.healthy,
    HealthStatus.degraded,
    HealthStatus.unhealthy,
    HealthStatus.unknown,
)


def _aggregate(values: list[float], agg: str) -> float:
    if agg == "max":
        return max(values)
    if agg == "min":
        return min(values)
    if agg == "last":
        return values[-1]
    if agg == "sum":
        return sum(values)
    if agg == "p95":
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return sum(values) / len(values)


def _band(value: float, warn: float | None, crit: float | None, below: bool) -> HealthStatus:
    def beyond(limit: float | None) -> bool:
        return limit is not None and (value < limit if below else value > limit)

    return U if beyond(crit) else D if beyond(warn) else H


def judge_metric(
    name: str, points: list[Point], unit: str, source: str, threshold: MetricThreshold
) -> MetricHealth:
    base = MetricHealth(
        name=name,
        source=source,
        unit=threshold.unit,
        warn=threshold.warn,
        crit=threshold.crit,
        direction=threshold.direction,
        points=len(points),
        status=K,
    )
    factor = 1.0
    if unit and unit.lower() not in ("", "none", threshold.unit.lower()):
        known = {k.lower(): v for k, v in threshold.units.items()}
        if unit.lower() not in known:
            base.reason = f"unit {unit!r} is not one the threshold knows ({threshold.unit!r})"
            return base
        factor = known[unit.lower()]
    if len(points) < threshold.min_points:
        base.reason = "no data in the window"
        return base
    ordered = [v * factor for _, v in sorted(points, key=lambda p: p[0] or 0.0)]
    value = _aggregate(ordered, threshold.agg)
    base.value = round(value, 6)
    base.status = _band(value, threshold.warn, threshold.crit, threshold.direction == "below")
    return base


def _signal_text(m: MetricHealth) -> str:
    if m.value is None:
        return f"metric {m.name}: {m.reason}"
    limit = m.crit if m.status == U else m.warn
    op = "<" if m.direction == "below" else ">"
    return f"metric {m.name}={m.value:g}{' ' + m.unit if m.unit else ''} ({op} {limit:g})"


def judge_component(comp: Component, config: HealthConfig, business: str = "") -> ComponentHealth:
    series: dict[str, tuple[list[Point], str, str]] = {}
    states: dict[tuple[str, str], ResourceHealth] = {}
    logs: dict[str, list[str]] = defaultdict(list)
    log_sources: dict[str, str] = {}
    traces: list[tuple[float | None, bool]] = []
    trace_source = ""
    for obs in comp.members:
        _gather(obs, series, states, logs, log_sources)
        if obs.traces:
            traces += obs.traces
            trace_source = obs.source
    metrics = []
    for name, (points, unit, source) in sorted(series.items()):
        threshold = config.threshold(name, comp.kind, business)
        if threshold is not None:
            metrics.append(judge_metric(name, points, unit, source, threshold))
    patterns = [re.compile(p, re.IGNORECASE) for p in config.logs.error_patterns]
    log_health = []
    for stream, lines in sorted(logs.items()):
        errors = [line for line in lines if any(p.search(line) for p in patterns)]
        log_health.append(
            LogHealth(
                source=log_sources[stream],
                stream=stream,
                total=len(lines),
                errors=len(errors),
                samples=[e[:200] for e in errors[:3]],
                status=_band(len(errors), config.logs.warn - 0.5, config.logs.crit - 0.5, False),
            )
        )
    trace_health = []
    if len(traces) >= config.traces.min_traces:
        failed = sum(1 for _, bad in traces if bad)
        durations = sorted(d for d, _ in traces if d is not None)
        rate = failed / len(traces)
        p95 = _aggregate(durations, "p95") if durations else None
        status = worst(
            [_band(rate, config.traces.error_rate.warn, config.traces.error_rate.crit, False)]
            + (
                [_band(p95, config.traces.p95_s.warn, config.traces.p95_s.crit, False)]
                if p95 is not None
                else []
            )
        )
        trace_health.append(
            TraceHealth(
                source=trace_source,
                traces=len(traces),
                error_rate=round(rate, 4),
                p95_s=p95,
                status=status,
            )
        )
    resources = list(states.values())
    members = sorted({o.id for o in comp.members if o.component} - {comp.id})
    health = ComponentHealth(
        name=comp.name,
        kind=comp.kind,
        provider=comp.provider,
        id=comp.id,
        members=members[:50],
        status=K,
        score=100.0,
        matched=comp.matched,
        metrics=metrics,
        logs=log_health,
        traces=trace_health,
        resources=resources,
    )
    _score(health, config)
    if comp.errors and health.status == K:
        health.reason = "; ".join(comp.errors[:3])
    elif health.status == K:
        health.reason = "no signal could be read for it"
    return health


def _gather(
    obs: Observation,
    series: dict[str, tuple[list[Point], str, str]],
    states: dict[tuple[str, str], ResourceHealth],
    logs: dict[str, list[str]],
    log_sources: dict[str, str],
) -> None:
    for name, (points, unit) in obs.metrics.items():
        held = series.setdefault(name, ([], unit, obs.source))
        held[0].extend(points)
    for signal, value, status, detail in obs.states:
        key = (signal, value)
        if key not in states:
            states[key] = ResourceHealth(
                signal=signal, value=value, source=obs.source, status=status, detail=detail[:300]
            )
    for stream, message in obs.logs:
        logs[stream or obs.id].append(message)
        log_sources.setdefault(stream or obs.id, obs.source)


def _score(health: ComponentHealth, config: HealthConfig) -> None:
    cost = config.scoring.deduction
    judged: list[HealthStatus] = []
    deductions: list[Deduction] = []

    def count(status: HealthStatus, text: str) -> None:
        if status != K:
            judged.append(status)
        points = cost.get(status.value, 0.0)
        if points:
            deductions.append(Deduction(points=points, signal=text, component=health.name))

    for m in health.metrics:
        count(m.status, _signal_text(m))
    for r in health.resources:
        count(r.status, f"{r.signal}={r.value}" + (f" ({r.detail[:80]})" if r.detail else ""))
    for lg in health.logs:
        count(lg.status, f"log {lg.stream}: {lg.errors} error lines of {lg.total}")
    for t in health.traces:
        p95 = f", p95 {t.p95_s:.2f}s" if t.p95_s is not None else ""
        count(t.status, f"traces: {t.error_rate:.0%} failed of {t.traces}{p95}")
    health.status = worst(judged)
    health.deductions = sorted(deductions, key=lambda d: -d.points)
    health.score = max(0.0, 100.0 - sum(d.points for d in deductions))


def business_status(
    components: list[ComponentHealth], config: HealthConfig
) -> tuple[HealthStatus, float]:
    """Overall status and the weighted mean score of the components."""
    if not components:
        return K, 0.0
    weights = config.scoring.kind_weights
    total = sum(weights.get(c.kind, 1.0) for c in components)
    score = sum(c.score * weights.get(c.kind, 1.0) for c in components) / total
    known = [c for c in components if c.status != K]
    if len(known) < len(components) * (1 - config.scoring.unknown_share) or not known:
        return K, round(score, 1)
    known_weight = sum(weights.get(c.kind, 1.0) for c in known)
    bad = sum(weights.get(c.kind, 1.0) for c in known if c.status == U) / known_weight
    if bad >= config.scoring.unhealthy_share:
        return U, round(score, 1)
    if any(c.status in (U, D) for c in known):
        return D, round(score, 1)
    return H, round(score, 1)


def problems_of(
    components: list[ComponentHealth], config: HealthConfig, lang: str
) -> list[Problem]:
    """One problem per bad component, worst first, with evidence and advice."""
    out = []
    for comp in components:
        if comp.status not in (D, U):
            continue
        evidence = [d.signal for d in comp.deductions if d.points >= 10]
        fix, follow = _advice(comp, config, lang)
        out.append(
            Problem(
                component=comp.name,
                status=comp.status,
                title=evidence[0] if evidence else comp.status.value,
                evidence=evidence,
                fix=fix,
                follow_up=follow,
            )
        )
    out.sort(key=lambda p: (p.status != U, -len(p.evidence)))
    return out


def _advice(comp: ComponentHealth, config: HealthConfig, lang: str) -> tuple[str, str]:
    fixes: list[str] = []
    follows: list[str] = []
    for r in comp.resources:
        if r.status in (D, U):
            for key in (r.value, r.signal, r.signal.split(":")[-1]):
                advice = config.advice.get(key)
                if advice is not None:
                    fixes.append(advice.fix.get(lang, ""))
                    follows.append(advice.follow_up.get(lang, ""))
    for m in comp.metrics:
        if m.status in (D, U) and m.name in config.metrics:
            fixes.append(config.metrics[m.name].fix.get(lang, ""))
    if any(lg.status in (D, U) for lg in comp.logs):
        fixes.append(config.logs.fix.get(lang, ""))
    if any(t.status in (D, U) for t in comp.traces):
        fixes.append(config.traces.fix.get(lang, ""))
    unique = list(dict.fromkeys(f for f in fixes if f))
    return " ".join(unique[:3]), " ".join(dict.fromkeys(f for f in follows if f))
