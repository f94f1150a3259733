"""Business scope: which resources belong to the business a request names.

Tags and labels whose key the configuration calls a business key (``business``, ``业务``,
``app.kubernetes.io/part-of``...) reveal the businesses that exist; a request matches one by
the tag value itself or by a configured alias in any language. Namespaces named like the
business count too, and a node joins the scope when a pod of the business runs on it. Every
component records how it matched.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from mcp_sre.agents.health.adapter import Observation
from mcp_sre.agents.health.config import ScopeConfig
from mcp_sre.agents.health.schema import ScopeMatch

__all__ = ["Component", "ScopeResolution", "assemble", "discover_scopes", "resolve_scope"]


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def _business_labels(obs: Observation, config: ScopeConfig) -> list[tuple[str, str, str]]:
    """(via, key, value) of every business-naming label or namespace of one observation."""
    keys = {_norm(k) for k in config.keys}
    found = [
        (obs.labels_via, k, v) for k, v in obs.labels.items() if _norm(k) in keys and v.strip()
    ]
    if config.namespaces and obs.namespace and obs.namespace not in config.system_namespaces:
        found.append(("namespace", "namespace", obs.namespace))
    return found


def discover_scopes(
    observations: list[Observation], config: ScopeConfig
) -> dict[str, dict[str, int]]:
    """Business value -> {"provider:key": resources}: what the tags and labels reveal."""
    scopes: dict[str, dict[str, int]] = {}
    seen: set[tuple[str, str, str]] = set()
    for obs in observations:
        if not obs.component:
            continue
        for _via, key, value in _business_labels(obs, config):
            if (obs.provider, obs.id, value) in seen:
                continue
            seen.add((obs.provider, obs.id, value))
            where = scopes.setdefault(value, {})
            where[f"{obs.provider}:{key}"] = where.get(f"{obs.provider}:{key}", 0) + 1
    return dict(sorted(scopes.items()))


@dataclass
class ScopeResolution:
    """The tag values taken as the business, or why none could be."""

    values: set[str] = field(default_factory=set)
    business: str = ""  # the configured business name, when an alias group matched
    named: str = ""  # how the request named it (the alias or value found in the text)
    candidates: list[str] = field(default_factory=list)
    reason: str = ""


def _groups(config: ScopeConfig) -> dict[str, set[str]]:
    return {
        name: {_norm(name), *(_norm(a) for a in aliases)}
        for name, aliases in config.businesses.items()
    }


def resolve_scope(
    request: str, scopes: dict[str, dict[str, int]], config: ScopeConfig
) -> ScopeResolution:
    """Match the request to business values: exact value, value named in the request, or a
    configured alias group; several unrelated matches are ambiguous."""
    text = _norm(request)
    values = list(scopes)
    groups = _groups(config)
    hit_groups = {
        name
        for name, names in groups.items()
        if any(n and (n == text or _contains(text, n)) for n in names)
    }
    direct = {v for v in values if _norm(v) == text or _contains(text, _norm(v))}
    matched = set(direct)
    for name in hit_groups:
        matched |= {v for v in values if _norm(v) in groups[name]}
    if matched:
        owners = {name for name in groups for v in matched if _norm(v) in groups[name]}
        unrelated = {v for v in matched if not any(_norm(v) in groups[o] for o in owners)}
        if (
            len(owners) > 1
            or (owners and unrelated and not (direct - unrelated))
            or (not owners and len(matched) > 1 and _ambiguous(matched, text))
        ):
            return ScopeResolution(candidates=sorted(matched), reason="ambiguous")
        business = next(iter(owners)) if len(owners) == 1 else ""
        said = [n for g in (owners or hit_groups) for n in groups[g] if _contains(text, n)]
        said += [_norm(v) for v in direct]
        named = max(said, key=len) if said else ""
        return ScopeResolution(values=matched, business=business, named=named)
    partial = sorted(
        {
            v
            for v in values
            for token in _tokens(text)
            if any(piece.startswith(token) for piece in re.split(r"[-_/. ]", _norm(v)))
        }
    )
    if len(partial) == 1:
        return ScopeResolution(values=set(partial))
    if partial:
        return ScopeResolution(candidates=partial, reason="ambiguous")
    return ScopeResolution(candidates=values, reason="untagged")


def _contains(text: str, name: str) -> bool:
    if len(name) < 2:
        return False
    if name.isascii():
        return re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", text) is not None
    return name in text


def _tokens(text: str) -> list[str]:
    return [
        t
        for t in re.findall(r"[a-z0-9]{3,}", text)
        if t
        not in {
            "the",
            "health",
            "business",
            "report",
            "how",
            "what",
            "check",
            "status",
            "analyse",
            "analyze",
            "platform",
            "please",
            "service",
        }
    ]


def _ambiguous(matched: set[str], text: str) -> bool:
    """Several values all named in the request are one business (the user listed them)."""
    return not all(_contains(text, _norm(v)) or _norm(v) == text for v in matched)


@dataclass
class Component:
    """Observations merged into one component of the business."""

    key: str
    name: str
    kind: str
    provider: str
    id: str
    matched: list[ScopeMatch] = field(default_factory=list)
    members: list[Observation] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    weak: bool = False


def _in_scope(
    obs: Observation,
    values: set[str],
    config: ScopeConfig,
    spaces: dict[str, ScopeMatch] | None = None,
) -> list[ScopeMatch]:
    wanted = {_norm(v) for v in values}
    found = [
        ScopeMatch(provider=obs.provider, via=via, key=key, value=value)
        for via, key, value in _business_labels(obs, config)
        if _norm(value) in wanted
    ]
    if spaces and obs.namespace in spaces:
        found.append(spaces[obs.namespace])
    return found


def assemble(
    observations: list[Observation], values: set[str], config: ScopeConfig
) -> list[Component]:
    """Components of the business: in-scope resources (merged across providers by name),
    their children, the nodes they run on, and every signal that refers to them."""
    comps: dict[str, Component] = {}
    index: dict[str, Component] = {}
    by_name: dict[str, Component] = {}
    attached: set[int] = set()

    def add(obs: Observation, matches: list[ScopeMatch]) -> Component:
        comp = index.get(obs.id) or next((index[a] for a in obs.aliases if a in index), None)
        if comp is None:
            other = by_name.get(_norm(obs.name))
            if other is not None and other.provider != obs.provider:
                comp = other
        if comp is None:
            comp = Component(
                key=obs.id,
                name=obs.name,
                kind=obs.kind or "resource",
                provider=obs.provider,
                id=obs.id,
                weak=obs.weak,
            )
            comps[obs.id] = comp
            by_name.setdefault(_norm(obs.name), comp)
        if comp.weak and not obs.weak:  # a resource's own provider names its kind
            comp.kind, comp.provider, comp.id, comp.weak = obs.kind, obs.provider, obs.id, False
        if comp.name == comp.id and obs.name != obs.id and comp.provider == obs.provider:
            comp.name = obs.name
            by_name.setdefault(_norm(obs.name), comp)
        if comp.kind in ("resource", "workload") and obs.kind:
            comp.kind = obs.kind
        for match in matches:
            if match not in comp.matched:
                comp.matched.append(match)
        comp.members.append(obs)
        attached.add(id(obs))
        for ident in {obs.id, *obs.aliases}:
            comp.ids.add(ident)
            index.setdefault(ident, comp)
        return comp

    spaces: dict[str, ScopeMatch] = {}  # namespaces whose own labels name the business
    for obs in observations:
        if obs.kind == "namespace":
            for m in _in_scope(obs, values, config):
                spaces[obs.id] = ScopeMatch(
                    provider=obs.provider,
                    via="namespace label",
                    key=f"{obs.id}: {m.key}",
                    value=m.value,
                )
    resources = [o for o in observations if o.component and o.kind != "namespace"]
    children = [o for o in resources if o.parent]
    for obs in resources:
        if obs.parent:
            continue
        matches = _in_scope(obs, values, config, spaces)
        if matches:
            add(obs, matches)
    for obs in children:  # pods: in scope with their workload, or by their own labels
        parent = index.get(obs.parent)
        own = _in_scope(obs, values, config, spaces)
        if parent is None and own:
            parent = add(
                Observation(
                    provider=obs.provider,
                    source=obs.source,
                    id=obs.parent,
                    kind="workload",
                    name=obs.parent.rsplit("/", 1)[-1],
                    namespace=obs.namespace,
                ),
                own,
            )
        if parent is not None:
            parent.members.append(obs)
            attached.add(id(obs))
            index.setdefault(obs.id, parent)
    placed = {o.placement for c in comps.values() for o in c.members if o.placement}
    for obs in resources:  # hosts the business runs on
        if obs.id not in index and (obs.id in placed or obs.name in placed):
            add(
                obs,
                [
                    ScopeMatch(
                        provider=obs.provider,
                        via="placement",
                        key="runs pods of",
                        value=", ".join(sorted(values)),
                    )
                ],
            )
    for obs in observations:  # signals that refer to an in-scope resource
        if id(obs) in attached:
            continue
        if obs.component:
            if obs.id in index:
                index[obs.id].members.append(obs)
            continue
        comp = (
            index.get(obs.id)
            or index.get(obs.parent)
            or by_name.get(_norm(obs.name))
            or next((index[a] for a in obs.aliases if a in index), None)
        )
        if comp is not None:
            comp.members.append(obs)
    return list(comps.values())
