"""The no-LLM reasoner: ranked signals + root-cause rules -> the layered report.

Each signal is explained by its best matching rule (highest priority whose conditions hold on
the signal's facts). The root cause is the best explanation in the ``root`` layer (else the best
``direct`` one), the direct cause the best ``direct`` one, the symptom the best ``symptom`` one.
Fix and prevention come from the root rule; confidence from how specific that rule is and how
much else agrees.
"""

from __future__ import annotations

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


def explain(signals: list[Signal], knowledge: Knowledge) -> list[Explanation]:
    """The best rule for each signal, ranked."""
    by_signal: dict[str, list[RootRule]] = {}
    for rule in knowledge.rules:
        for sid in knowledge.signals_of(rule):
            by_signal.setdefault(sid, []).append(rule)
    out = []
    for signal in signals:
        rules = [r for r in by_signal.get(signal.rule, [])
                 if all(check(signal.facts, c, signal.facts) for c in r.when)]
        if not rules:
            continue
        best = max(rules, key=lambda r: r.priority)
        out.append(Explanation(signal, best, best.priority + signal.score / 10))
    return sorted(out, key=lambda e: -e.rank)


def layered(explanations: list[Explanation], evidence: list[Evidence], lang: str,
            target: ObjectRef | None) -> dict[str, Any]:
    """The report's layers, fix, prevention, confidence and evidence (best first)."""
    def best(layer: str) -> Explanation | None:
        return next((e for e in explanations if e.rule.layer == layer), None)

    root = best("root") or best("direct")
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
