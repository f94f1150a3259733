"""Markdown for people, in the language of the request (zh or en)."""

from __future__ import annotations

from mcp_sre.agents.health.schema import ComponentHealth, HealthReport, HealthStatus

__all__ = ["render_markdown", "render_scopes"]

_TEXT = {
    "en": {
        "title": "Health of {scope}",
        "status": "Status",
        "score": "score",
        "matched": "Taken as this business: {values}",
        "problems": "Problems (worst first)",
        "components": "Components",
        "fix": "Fix",
        "next": "Next",
        "sources": "Sources",
        "notes": "What the report could not see",
        "none": "No problems found.",
        "candidates": "Businesses that exist",
        "window": "window: last {m} min",
        "cols": "| component | kind | provider | status | score | signals | matched by |",
        "ok": "ok",
        "failed": "failed",
        "calls": "{n} reads",
        "time": "{s:.1f} s",
    },
    "zh": {
        "title": "{scope} 健康报告",
        "status": "状态",
        "score": "评分",
        "matched": "视为该业务的标签值：{values}",
        "problems": "问题（按严重程度排序）",
        "components": "组件",
        "fix": "修复建议",
        "next": "后续排查",
        "sources": "数据源",
        "notes": "报告未能看到的内容",
        "none": "未发现问题。",
        "candidates": "现有的业务",
        "window": "时间窗口：最近 {m} 分钟",
        "cols": "| 组件 | 类型 | 来源 | 状态 | 评分 | 信号 | 归属依据 |",
        "ok": "正常",
        "failed": "失败",
        "calls": "{n} 次读取",
        "time": "{s:.1f} 秒",
    },
}
_STATUS = {
    "en": {s: s.value for s in HealthStatus},
    "zh": {
        HealthStatus.healthy: "健康",
        HealthStatus.degraded: "降级",
        HealthStatus.unhealthy: "不健康",
        HealthStatus.unknown: "未知",
    },
}
_ICON = {
    HealthStatus.healthy: "🟢",
    HealthStatus.degraded: "🟡",
    HealthStatus.unhealthy: "🔴",
    HealthStatus.unknown: "⚪",
}


def _signals(comp: ComponentHealth) -> str:
    bad = [d.signal for d in comp.deductions if d.points >= 10]
    if bad:
        return "; ".join(bad[:3]).replace("|", "/")
    parts = [f"{m.name}={m.value:g}" for m in comp.metrics if m.value is not None][:2]
    parts += [f"{r.signal}={r.value}" for r in comp.resources][:2]
    return ", ".join(parts).replace("|", "/") or (comp.reason or "-")


def render_markdown(report: HealthReport) -> str:
    lang = report.language
    t, names = _TEXT[lang], _STATUS[lang]
    out = [f"# {t['title'].format(scope=report.business or report.scope)}", ""]
    out.append(
        f"**{t['status']}: {_ICON[report.status]} {names[report.status]}** · "
        f"{t['score']} {report.score:.0f}/100 · {t['window'].format(m=report.window_minutes)}"
    )
    if report.matched_values:
        out.append(t["matched"].format(values=", ".join(report.matched_values)))
    if report.candidates:
        out += ["", f"## {t['candidates']}", ""]
        out += [f"- {c}" for c in report.candidates] or ["-"]
    if report.components:
        out += ["", f"## {t['problems']}", ""]
        if not report.problems:
            out.append(t["none"])
        for i, p in enumerate(report.problems, 1):
            out.append(f"{i}. {_ICON[p.status]} **{p.component}** ({names[p.status]}): {p.title}")
            for e in p.evidence[1:4]:
                out.append(f"   - {e}")
            if p.fix:
                out.append(f"   - {t['fix']}: {p.fix}")
            if p.follow_up:
                out.append(f"   - {t['next']}: {p.follow_up}")
        out += [
            "",
            f"## {t['components']}",
            "",
            t["cols"],
            "|" + "---|" * (t["cols"].count("|") - 1),
        ]
        for c in report.components:
            via = ", ".join(sorted({f"{m.via} {m.key}={m.value}".strip() for m in c.matched}))
            out.append(
                f"| {c.name} | {c.kind} | {c.provider} | {_ICON[c.status]} "
                f"{names[c.status]} | {c.score:.0f} | {_signals(c)} | {via or '-'} |"
            )
    if report.sources:
        out += ["", f"## {t['sources']}", ""]
        for s in report.sources:
            state = t["ok"] if s.ok else t["failed"]
            line = (
                f"- {s.provider}: {state}, {t['calls'].format(n=s.calls)}, "
                f"{t['time'].format(s=s.seconds)}"
            )
            out.append(line + (f" — {s.error[:200]}" if s.error else ""))
    if report.notes:
        out += ["", f"## {t['notes']}", ""]
        out += [f"- {n}" for n in report.notes]
    return "\n".join(out) + "\n"


def render_scopes(found: dict[str, object], lang: str = "en") -> str:
    scopes = found.get("scopes") or {}
    head = "业务（来自标签）" if lang == "zh" else "Businesses found in tags and labels"
    lines = [f"# {head}", ""]
    if not scopes:
        lines.append("(none)" if lang == "en" else "（无）")
    for value, where in scopes.items():  # type: ignore[union-attr]
        places = ", ".join(f"{k} ×{n}" for k, n in where.items())
        lines.append(f"- **{value}**: {places}")
    skipped = found.get("not_configured") or []
    if skipped:
        lines += ["", ("未配置：" if lang == "zh" else "not configured: ") + ", ".join(skipped)]  # type: ignore[arg-type]
    for source in found.get("sources") or []:  # type: ignore[union-attr]
        if not source["ok"]:
            lines.append(f"- {source['provider']}: {source['error']}")
    return "\n".join(lines) + "\n"
