"""The no-LLM reasoner: ranked signals + root-cause rules -> the layered report.

Each signal is explained by its best matching rule (highest priority whose conditions hold on
the signal's facts). The root cause is the best explanation in the ``root`` layer (else the best
``direct`` one), the direct cause the best ``direct`` one, the symptom the best ``symptom`` one.
Fix and prevention come from the root rule; confidence from how specific that rule is and how
much else agrees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcp_sre.agents.diagnosis.knowledge import Knowledge, RootRule
from mcp_sre.agents.diagnosis.models import Evidence, ObjectRef, Signal
from mcp_sre.agents.diagnosis.paths import check, fill

__all__ = ["Explanation", "explain", "layered"]

MAX_EVIDENCE = 12


@dataclass
class Explanation:
    """One signal with the rule that explains it."""

    signal: Signal
    rule: RootRule
    rank: float

    def text(self, lang: str) -> str:
        template = self.rule.text.get(lang) or self.rule.text.get("en") or ""
        return _clean(fill(template, self.facts()))

    def lines(self, field: str, lang: str) -> list[str]:
        table: dict[str, list[str]] = getattr(self.rule, field)
        return [_clean(fill(t, self.facts())) for t in table.get(lang) or table.get("en") or []]

    def facts(self) -> dict[str, Any]:
        return {**self.signal.facts, "object": self.signal.object.label()}


def _clean(text: str) -> str:
    for empty in ("()", "( )", "(x)", "()", "``", "\"\""):
        text = text.replace(empty, "")
    return " ".join(text.split()).replace(" :", ":").replace(" ,", ",").strip()


Related = Callable[[ObjectRef, ObjectRef], bool]


def _backed(signal: Signal, rule: RootRule, signals: list[Signal],
            related: Related | None) -> Signal | None:
    """``signal`` joined with a backing signal the rule's ``with`` asks for (None: none)."""
    need = rule.with_ or {}
    for other in signals:
        if other is signal or other.rule != need.get("signal"):
            continue
        if not all(check(other.facts, c, other.facts) for c in need.get("when") or []):
            continue
        if need.get("related") and not (related and related(signal.object, other.object)):
            continue
        facts = {**signal.facts, **{f"with_{k}": v for k, v in other.facts.items()}}
        if all(check(facts, c, facts) for c in rule.when):
            return signal.model_copy(update={
                "facts": facts, "evidence": [*signal.evidence,
                                             *[e for e in other.evidence
                                               if e not in signal.evidence]]})
    return None


def explain(signals: list[Signal], knowledge: Knowledge,
            related: Related | None = None,
            weight: Callable[[str], float] | None = None) -> list[Explanation]:
    """The best rule for each signal, ranked (``related`` tells whether two objects are
    linked in the collected graph, for rules that need a backing signal; ``weight``: rule id
    -> factor learned from feedback on earlier diagnoses)."""
    by_signal: dict[str, list[RootRule]] = {}
    for rule in knowledge.rules:
        for sid in knowledge.signals_of(rule):
            by_signal.setdefault(sid, []).append(rule)
    out = []
    for signal in signals:
        options: list[tuple[RootRule, Signal]] = []
        for rule in by_signal.get(signal.rule, []):
            if rule.with_:
                joined = _backed(signal, rule, signals, related)
                if joined is not None:
                    options.append((rule, joined))
            elif all(check(signal.facts, c, signal.facts) for c in rule.when):
                options.append((rule, signal))
        if not options:
            continue
        best, used = max(options, key=lambda o: o[0].priority)
        rank = best.priority + signal.score / 10
        out.append(Explanation(used, best, rank * weight(best.id) if weight else rank))
    return sorted(out, key=lambda e: -e.rank)


def layered(explanations: list[Explanation], evidence: list[Evidence], lang: str,
            target: ObjectRef | None) -> dict[str, Any]:
    """The report's layers, fix, prevention, confidence and evidence (best first)."""
    def best(layer: str) -> Explanation | None:
        return next((e for e in explanations if e.rule.layer == layer), None)

    root = best("root") or best("direct") or best("symptom")
    direct = next((e for e in explanations if e.rule.layer == "direct" and e is not root), None)
    symptom = best("symptom")
    used = [e for e in (root, direct, symptom) if e is not None]
    for extra in explanations:
        if extra not in used:
            used.append(extra)
    order: list[str] = []
    for e in used:
        order += [i for i in e.signal.evidence if i not in order]
    by_id = {ev.id: ev for ev in evidence}
    fix = root.lines("fix", lang) if root else []
    if not fix and direct:
        fix = direct.lines("fix", lang)
    confidence = 0.0
    if root is not None:
        confidence = 0.3 + 0.6 * min(root.rule.priority, 100) / 100
        if direct is not None:
            confidence += 0.05
        if root.rule.layer != "root":
            confidence -= 0.15
    return {
        "symptom": symptom.text(lang) if symptom else "",
        "direct_cause": direct.text(lang) if direct else (root.text(lang) if root else ""),
        "root_cause": root.text(lang) if root else "",
        "fix": fix,
        "prevention": root.lines("prevention", lang) if root else [],
        "confidence": round(max(0.0, min(confidence, 0.95)), 2),
        "evidence": [by_id[i] for i in order if i in by_id][:MAX_EVIDENCE],
    }
