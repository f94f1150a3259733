"""The report as Markdown for people, in the report's language."""

from __future__ import annotations

from mcp_sre.agents.diagnosis.models import DiagnosisReport

__all__ = ["to_markdown"]


def to_markdown(report: DiagnosisReport, texts: dict[str, dict[str, str]] | None = None,
                steps: bool = False) -> str:
    t = (texts or {}).get(report.language) or (texts or {}).get("en") or {}

    def h(key: str) -> str:
        return t.get(key, key.replace("_", " ").capitalize())

    target = f" — {report.target.label()}" if report.target else ""
    out = [f"# {h('heading')}{target}", "", f"> {report.question}", ""]
    if report.note:
        out += [f"_{report.note}_", ""]
    for key, value in (("symptom", report.symptom), ("direct", report.direct_cause),
                       ("root", report.root_cause)):
        if value and not (key == "direct" and value == report.root_cause):
            out.append(f"**{h(key)}:** {value}  ")
    out.append(f"**{h('confidence')}:** {report.confidence:.0%} ({report.reasoner})")
    out.append("")
    if report.evidence:
        out += [f"## {h('evidence')}", ""]
        for ev in report.evidence:
            when = f", {ev.time}" if ev.time else ""
            op = f" — `{ev.operation}`" if ev.operation else ""
            out.append(f"- [{ev.id}] {ev.object} `{ev.path}`: \"{ev.quote}\"{op}{when}")
        out.append("")
    for key, items in (("fix", report.fix), ("prevention", report.prevention),
                       ("checked", report.checked), ("ruled_out", report.ruled_out),
                       ("could_not_see", report.could_not_see)):
        if items:
            out += [f"## {h(key)}", "", *[f"- {item}" for item in items], ""]
    if steps and report.steps:
        out += [f"## {h('steps')}", ""]
        out += [f"- {s.action}: {s.detail} — {s.outcome}, {s.ms:.0f} ms" for s in report.steps]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
