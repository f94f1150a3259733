"""Anomaly signals: signal rules over the collected objects, references that lead nowhere, and
the log lines that matter. Every signal carries its evidence, quoted with the operation that
read it; nothing here knows a provider's kinds (they arrive as rules).

A signal rule (YAML) names a ``kind``; optional ``each`` paths (check every item: a container
status, a condition); ``when`` conditions (all must hold); ``facts`` (``name: path`` or
``{path, regex, all, format: pairs|join, lower}``) that templates use; ``evidence`` fields to
quote. Paths start at ``obj`` (the object), ``item``, ``rel.<relation>`` (related objects) or
``target`` (the object named by ``lookup``); a bare path starts at the object (or the item's
object for ``each`` rules).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from mcp_sre.agents.diagnosis.collect import Graph, Key, key_of
from mcp_sre.agents.diagnosis.knowledge import Knowledge, LogPattern, SignalRule
from mcp_sre.agents.diagnosis.models import Evidence, ObjectRef, Signal
from mcp_sre.agents.diagnosis.paths import check, first, values

__all__ = ["EvidenceBook", "find_signals", "quantity", "scan_log"]

MAX_QUOTE = 400
_ROOTS = ("obj.", "item.", "rel.", "target.", "fact.")


class EvidenceBook:
    """Numbered, de-duplicated evidence items."""

    def __init__(self) -> None:
        self.items: list[Evidence] = []
        self._seen: dict[tuple[str, str, str], str] = {}

    def add(self, **fields: Any) -> str:
        quote = str(fields.get("quote", ""))[:MAX_QUOTE]
        key = (str(fields.get("object")), str(fields.get("path")), quote)
        if key in self._seen:
            return self._seen[key]
        eid = f"E{len(self.items) + 1}"
        self.items.append(Evidence(id=eid, **{**fields, "quote": quote}))
        self._seen[key] = eid
        return eid


def _ref(key: Key) -> ObjectRef:
    return ObjectRef(kind=key[0], namespace=key[1], name=key[2])


def _quote(found: list[Any]) -> str:
    if not found:
        return ""
    value = found[0] if len(found) == 1 else found
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def _pairs(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


_UNITS = {"n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9,
          "T": 1e12, "P": 1e15, "E": 1e18, "Ki": 2.0**10, "Mi": 2.0**20, "Gi": 2.0**30,
          "Ti": 2.0**40, "Pi": 2.0**50, "Ei": 2.0**60}
_QUANTITY = re.compile(r"^\s*([0-9.]+(?:[eE][-+]?[0-9]+)?)\s*([A-Za-z]{0,2})\s*$")


def quantity(value: Any) -> float | None:
    """``128Mi`` -> 134217728.0, ``250m`` -> 0.25, ``2`` -> 2.0 (None if not a quantity)."""
    match = _QUANTITY.match(str(value))
    if not match or match.group(2) not in _UNITS:
        return None
    return float(match.group(1)) * _UNITS[match.group(2)]


def _fact(scope: dict[str, Any], spec: Any, facts: dict[str, Any]) -> Any:
    if not isinstance(spec, dict):
        spec = {"path": spec}
    if "value" in spec:
        return spec["value"]
    if "ratio" in spec:  # percent of one numeric fact over another
        top, bottom = (facts.get(str(n)) for n in spec["ratio"])
        if isinstance(top, int | float) and isinstance(bottom, int | float) and bottom:
            return round(100 * top / bottom)
        return None
    found = values(scope, _rooted(str(spec.get("path", ""))), facts)
    if spec.get("regex"):
        hits = []
        for value in found:
            match = re.search(str(spec["regex"]), str(value))
            if match:
                hits.append(match.group(1) if match.groups() else match.group(0))
        found = hits
    if spec.get("lower"):
        found = [str(v).lower() for v in found]
    if spec.get("format") == "pairs":
        found = [_pairs(v) for v in found]
    if spec.get("format") == "quantity":
        found = [q for q in (quantity(v) for v in found) if q is not None]
    if spec.get("format") == "join":
        found = [" ".join(str(x) for x in v) if isinstance(v, list) else str(v) for v in found]
    if spec.get("all"):
        return list(dict.fromkeys(str(v) for v in found)) if found else None
    return found[0] if found else None


def _rooted(path: str) -> str:
    parts = []
    for alt in path.split("|"):
        alt = alt.strip()
        parts.append(alt if alt.startswith(_ROOTS) else "obj." + alt)
    return "|".join(parts)


def _lookup(graph: Graph, obj: dict[str, Any], rule: SignalRule) -> dict[str, Any] | None:
    if not rule.lookup:
        return None
    kind = first(obj, rule.lookup.get("kind", ""))
    name = first(obj, rule.lookup.get("name", ""))
    ns = first(obj, rule.lookup.get("namespace", "")) or ""
    return graph.objects.get((str(kind), str(ns), str(name))) or \
        graph.objects.get((str(kind), "", str(name)))


def _apply(rule: SignalRule, graph: Graph, key: Key, book: EvidenceBook) -> list[Signal]:
    obj = graph.objects[key]
    evaluated = graph.rel.get(key, {})
    for cond in rule.when:  # a rule about a relation needs that relation walked
        path = str(cond.get("path", ""))
        if path.startswith("rel.") and path[4:].split("[")[0].split(".")[0] not in evaluated:
            return []
    base: dict[str, Any] = {"obj": obj, "rel": graph.related(key)}
    target = _lookup(graph, obj, rule)
    if target is not None:
        base["target"] = target
    items = [None] if not rule.each else [i for p in rule.each for i in values(obj, p)]
    out = []
    for item in items:
        scope = {**base, "item": item} if item is not None else base
        facts: dict[str, Any] = {}
        for name, spec in rule.facts.items():
            value = _fact(scope, spec, facts)
            if value not in (None, "", []):
                facts[name] = value
        scope["fact"] = facts  # conditions may test facts: {path: fact.usage_pct, gt: 90}
        conditions = [{**c, "path": _rooted(str(c.get("path", "")))} for c in rule.when]
        if not all(check(scope, c, facts) for c in conditions):
            continue
        facts.setdefault("name", key[2])
        facts.setdefault("namespace", key[1])
        evidence = []
        for ev in rule.evidence:
            path = str(ev.get("path", ""))
            found = values(scope if path.startswith(_ROOTS) else obj, path, facts)
            if not found:
                continue
            label = str(ev.get("label") or ev.get("path"))
            for fname, fvalue in facts.items():
                label = label.replace("{" + fname + "}", str(fvalue))
            source_key = key
            if path.startswith("rel."):  # quoted from a related object: its read
                rid = path[4:].split("[")[0].split(".")[0]
                source_key = next(iter(graph.rel.get(key, {}).get(rid) or []), key)
            evidence.append(book.add(
                source=ev.get("source", "field"), object=_ref(key).label(), path=label,
                quote=_quote(found), operation=graph.operations.get(source_key, ""),
                time=str(first(obj, ev["time"]) or "") if ev.get("time") else ""))
        out.append(Signal(rule=rule.id, layer=rule.layer, score=rule.score, object=_ref(key),
                          facts=facts, evidence=evidence))
    return out


def scan_log(text: str, patterns: list[LogPattern]) -> list[dict[str, Any]]:
    """The lines that matter in one log, best first: each pattern's last hit, with the entity
    it names and how many lines matched it."""
    lines = [ln.rstrip() for ln in text.splitlines() if ln.strip()]
    compiled = [(p, re.compile(p.regex)) for p in patterns]
    hits: dict[str, dict[str, Any]] = {}
    counts: Counter[str] = Counter()
    for index, line in enumerate(lines):
        for pattern, regex in compiled:
            match = regex.search(line)
            if not match:
                continue
            counts[pattern.id] += 1
            entity = (match.groupdict().get("entity") or "").strip(" '\"`")
            best = hits.get(pattern.id)
            # the last hit wins (the line before the crash), unless an earlier one names more
            if best is None or entity or not best["entity"]:
                hits[pattern.id] = {"pattern": pattern.id, "score": pattern.score,
                                    "entity": entity or (best or {}).get("entity", ""),
                                    "line": line.strip()[:MAX_QUOTE], "index": index}
            break  # one pattern per line: the most specific listed first
    found = []
    for pid, hit in hits.items():
        hit["count"] = counts[pid]
        hit["score"] += min(10, len(lines) and 10 * hit["index"] / len(lines))  # later = closer
        found.append(hit)
    return sorted(found, key=lambda h: -h["score"])


def _log_signals(graph: Graph, knowledge: Knowledge, book: EvidenceBook) -> list[Signal]:
    out = []
    for log in graph.logs:
        key: Key = log["object"]
        hits = scan_log(log["text"], knowledge.log_patterns)[:2]
        for hit in hits:
            port = re.search(r":(\d{2,5})\b", hit["entity"] or "")
            facts = {"pattern": hit["pattern"], "entity": hit["entity"] or hit["line"],
                     "port": port.group(1) if port else "",
                     "line": hit["line"], "count": hit["count"], "container": log["container"],
                     "previous": log["previous"], "name": key[2], "namespace": key[1]}
            run = "previous" if log["previous"] else "current"
            eid = book.add(source="log", object=_ref(key).label(),
                           path=f"{log['container']} ({run} log)", quote=hit["line"],
                           operation=log["operation"], time=log["time"])
            # the run before a crash, and a container that restarts, tell more than a sidecar
            score = hit["score"] + (5 if log["previous"] else 0) + \
                (5 if log.get("restarts") else 0)
            out.append(Signal(rule="log_line", layer="root", score=score, object=_ref(key),
                              facts=facts, evidence=[eid]))
    return out


def _missing_signals(graph: Graph, book: EvidenceBook) -> list[Signal]:
    out = []
    for miss in graph.missing:
        source = _ref(miss.source).label()
        target = f"{miss.kind} {miss.namespace + '/' if miss.namespace else ''}{miss.name}"
        quote = f"{miss.path} -> {target}" + (f" key {miss.key}" if miss.key else "")
        absent = f"{target} has no key {miss.key}" if miss.key else f"{target} does not exist"
        eids = [book.add(source="field", object=source, path=miss.path, quote=quote,
                         operation=graph.operations.get(miss.source, "")),
                book.add(source="absence", object=target, path=miss.relation, quote=absent)]
        out.append(Signal(rule="missing_reference", layer="root", score=90,
                          object=_ref(miss.source),
                          facts={"source": source, "kind": miss.kind, "name": miss.name,
                                 "namespace": miss.namespace, "key": miss.key,
                                 "path": miss.path, "relation": miss.relation},
                          evidence=eids))
    return out


def find_signals(graph: Graph, knowledge: Knowledge, book: EvidenceBook) -> list[Signal]:
    """Every signal on the collected graph, ranked (highest score first)."""
    signals: list[Signal] = []
    by_kind: dict[str, list[SignalRule]] = {}
    for rule in knowledge.signals:
        by_kind.setdefault(rule.kind, []).append(rule)
    for key, obj in graph.objects.items():
        for rule in by_kind.get(key_of(obj)[0], []):
            signals += _apply(rule, graph, key, book)
    signals += _missing_signals(graph, book)
    signals += _log_signals(graph, knowledge, book)
    return sorted(signals, key=lambda s: -s.score)
