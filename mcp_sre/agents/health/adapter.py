"""DataAdapter: whatever a provider returned -> observations in the health schema's terms.

Fast path: the provider's mapping rules (YAML data, see :mod:`.rules`). A response no rule
knows goes to the learner (an LLM proposes a rule, checked against the sample, saved, used from
then on); with no learner the shape is reported as unmapped -- never guessed.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from mcp_sre.agents.health.paths import field_values, first
from mcp_sre.agents.health.rules import MappingFile, Rule, load_mapping_file
from mcp_sre.agents.health.schema import HealthStatus
from mcp_sre.config import atomic_write

__all__ = ["DataAdapter", "Observation", "Point", "learned_rules_dir", "shape_key"]

log = logging.getLogger("mcp_sre.health")
Point = tuple[float | None, float]  # (epoch seconds or None, value)


@dataclass
class Observation:
    """One record of one response: a resource (or a reference to one) and its signals."""

    provider: str
    source: str
    id: str
    kind: str = ""
    name: str = ""
    aliases: set[str] = field(default_factory=set)
    component: bool = True
    weak: bool = False  # names a component another provider may own (its kind yields)
    parent: str = ""
    placement: str = ""
    namespace: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    labels_via: str = "label"  # "tag" when the provider calls them tags
    metrics: dict[str, tuple[list[Point], str]] = field(default_factory=dict)
    states: list[tuple[str, str, HealthStatus, str]] = field(default_factory=list)
    logs: list[tuple[str, str]] = field(default_factory=list)  # (stream, message)
    traces: list[tuple[float | None, bool]] = field(default_factory=list)  # (seconds, failed)


def _epoch(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) / 1000 if value > 1e11 else float(value)  # ms or s
    try:
        number = float(value)
        return number / 1000 if number > 1e11 else number
    except (TypeError, ValueError):
        pass
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None  # NaN, Inf


def shape_key(response: Any, depth: int = 2) -> str:
    """A fingerprint of a response's structure (keys and types, not values)."""

    def walk(value: Any, level: int) -> Any:
        if isinstance(value, dict):
            return {
                k: walk(v, level + 1) if level < depth else type(v).__name__
                for k, v in sorted(value.items())
            }
        if isinstance(value, list):
            return [walk(value[0], level)] if value else []
        return type(value).__name__

    return hashlib.sha256(json.dumps(walk(response, 0), sort_keys=True).encode()).hexdigest()[:16]


def learned_rules_dir(home: Path) -> Path:
    return home / "health" / "rules"


class DataAdapter:
    """Applies mapping rules; asks ``learner`` (if any) about shapes none of them knows."""

    def __init__(
        self,
        files: list[MappingFile],
        *,
        home: Path | None = None,
        learner: Callable[[str, str, Any], Rule | None] | None = None,
    ) -> None:
        self.files = {f.provider: f for f in files}
        self.rules: list[tuple[str, Rule]] = [(f.provider, r) for f in files for r in f.rules]
        self.home = home
        self.learner = learner
        self.unmapped: list[str] = []
        if home is not None:
            self._load_learned(learned_rules_dir(home))

    def _load_learned(self, folder: Path) -> None:
        if not folder.is_dir():
            return
        for path in sorted(folder.glob("*.yaml")):
            try:
                learned = load_mapping_file(path)
            except Exception as exc:  # a broken saved rule must not stop reports
                log.warning("learned mapping %s skipped: %s", path, exc)
                continue
            self.rules = [(learned.provider, r) for r in learned.rules] + self.rules

    # ------------------------------------------------------------------ lookup
    def rules_for(self, operation: str, response: Any) -> list[tuple[str, Rule]]:
        exact = [(p, r) for p, r in self.rules if r.matches(operation)]
        if exact:
            return exact
        return [
            (p, r)
            for p, r in self.rules
            if r.operation is None and r.shape and all(field_values(s, response) for s in r.shape)
        ]

    def adapt(
        self,
        operation: str,
        response: Any,
        *,
        params: dict[str, Any] | None = None,
        ctx: dict[str, Any] | None = None,
    ) -> list[Observation]:
        """Observations of one response; [] (and a note in ``unmapped``) when no rule fits."""
        rules = self.rules_for(operation, response)
        if not rules and self.learner is not None:
            rule = self.learner(operation, operation.split("/", 1)[0], response)
            if rule is not None:
                self.save_learned(operation.split("/", 1)[0], rule)
                rules = [(operation.split("/", 1)[0], rule)]
        if not rules:
            self.unmapped.append(operation)
            return []
        env = {"params": params or {}, "ctx": ctx or {}}
        out: list[Observation] = []
        for provider, rule in rules:
            out += apply_rule(rule, provider, operation, response, env)
        return out

    def save_learned(self, provider: str, rule: Rule) -> Path | None:
        """Write the rule atomically under ``$MCP_SRE_HOME/health/rules/``."""
        self.rules.insert(0, (provider, rule))
        if self.home is None:
            return None
        data = {
            "provider": provider,
            "rules": [rule.model_dump(exclude_defaults=True, mode="json")],
        }
        path = learned_rules_dir(self.home) / f"{provider}-{rule.name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode())
        return path


def apply_rule(
    rule: Rule, provider: str, operation: str, response: Any, env: dict[str, Any]
) -> list[Observation]:
    """The observations ``rule`` reads from ``response`` (no record: [])."""
    records = field_values(rule.records, response, env) if rule.records != "$record" else [response]
    out = []
    for record in records:
        if rule.decode and isinstance(record, dict):
            record = _decoded(record, rule.decode)
        if not _keep(rule, record, env):
            continue
        obs = _observe(rule, provider, operation, record, env)
        if obs is not None:
            out.append(obs)
    return out


def _decoded(record: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    out = dict(record)
    for key in keys:
        if isinstance(out.get(key), str):
            try:
                out[key] = json.loads(out[key])
            except ValueError:
                pass  # not JSON after all: the field stays text
    return out


def _literal(spec: Any) -> Any:
    """Metric names and units are usually written as themselves (``ready_ratio``): a plain
    word is a literal; ``$params.X``, dotted or indexed paths and templates are read."""
    if isinstance(spec, str) and not any(c in spec for c in "$.[{"):
        return {"value": spec}
    return spec


def _keep(rule: Rule, record: Any, env: dict[str, Any]) -> bool:
    """``where``: each path must yield a value equal to (or matching the glob of) one wanted."""
    for path, want in rule.where.items():
        allowed = [str(w) for w in (want if isinstance(want, list) else [want])]
        if not any(
            fnmatch.fnmatchcase(str(v), a) for v in field_values(path, record, env) for a in allowed
        ):
            return False
    return True


def _observe(
    rule: Rule, provider: str, operation: str, record: Any, env: dict[str, Any]
) -> Observation | None:
    ident = first(rule.id, record, env)
    if ident in (None, ""):
        return None
    kind = first(rule.kind, record, env)
    if rule.kind is not None and kind in (None, ""):
        return None  # the rule names kinds it knows; anything else is not its business
    obs = Observation(
        provider=provider,
        source=operation,
        id=str(ident),
        kind=str(kind or ""),
        component=rule.component,
        weak=rule.weak,
    )
    obs.name = str(first(rule.display, record, env) or obs.id)
    obs.aliases = {str(a) for spec in rule.aliases for a in field_values(spec, record, env)}
    obs.parent = str(first(rule.parent, record, env) or "")
    obs.placement = str(first(rule.placement, record, env) or "")
    obs.namespace = str(first(rule.namespace, record, env) or "")
    for mapping in field_values(rule.labels, record, env):
        if isinstance(mapping, dict):
            obs.labels.update({str(k): str(v) for k, v in mapping.items() if v is not None})
    if rule.tags is not None:
        obs.labels_via = "tag"
        found = field_values(rule.tags.list, record, env)
        for tag in [t for v in found for t in (v if isinstance(v, list) else [v])]:
            if isinstance(tag, dict) and rule.tags.key in tag:
                obs.labels[str(tag[rule.tags.key])] = str(tag.get(rule.tags.value, ""))
    for spec in rule.metrics:
        raw_name = first(_literal(spec.metric), record, env)
        if raw_name is None:
            continue
        name = rule.metric_names.get(str(raw_name), str(raw_name))
        values = field_values(spec.value, record, env)
        times = field_values(spec.time, record, env) if spec.time is not None else []
        unit = str(first(_literal(spec.unit), record, env) or "")
        points = obs.metrics.setdefault(name, ([], unit))[0]
        for i, value in enumerate(values):
            number = _number(value)
            if number is not None:  # a gap stays a gap: never a zero
                points.append((_epoch(times[i]) if i < len(times) else None, number))
    for state in rule.states:
        detail = first(state.detail, record, env)
        for value in field_values(state.path, record, env):
            status = state.map.get(str(value), state.map.get("*"))
            if status is not None:
                obs.states.append(
                    (state.signal, str(value), status, str(detail) if detail is not None else "")
                )
    if rule.log is not None:
        stream = str(first(rule.log.stream, record, env) or "")
        for message in field_values(rule.log.message, record, env):
            obs.logs.append((stream, str(message)))
    if rule.trace is not None:
        duration = _number(first(rule.trace.duration, record, env))
        failed = any(
            v is True or str(v).lower() == "true"
            for spec in rule.trace.error
            for v in field_values(spec, record, env)
        )
        obs.traces.append((duration, failed))
    return obs
