"""The report of one run: Markdown opening with a one-screen summary (green/red against the
baseline), PNG plots (matplotlib, Agg backend: no display needed) and the same data as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from mcp_sre.config import atomic_write
from mcp_sre.evaluation.models import Change, RunReport

__all__ = ["summary_lines", "to_markdown", "write_report"]

MARK = {"better": "🟢", "same": "⚪", "worse": "🟠", "regression": "🔴", "new": "🆕", "n/a": "·"}


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    if unit in {"ms", "s", "tokens"} or abs(value) >= 10:
        return f"{value:,.1f}{' ' + unit if unit else ''}"
    return f"{value:.3f}"


def _delta(change: Change) -> str:
    if change.delta is None:
        return ""
    return f"{change.delta:+.3f} (band ±{change.band:.3g})"


def summary_lines(report: RunReport) -> list[str]:
    """The numbers that matter, one line per suite: its headline metric and verdict."""
    changes = {(c.suite, c.metric): c for c in report.changes}
    verdict = ("FAIL: " + ", ".join(f"{c.suite} {c.metric} {_delta(c)}" for c in
                                    report.regressions) if report.regressions else "PASS")
    if report.errors:
        verdict = "FAIL: suite errors in " + ", ".join(s.name for s in report.errors)
    lines = [f"**{verdict}** — {len(report.suites)} suites in {report.seconds:.0f} s"
             f"{' (quick)' if report.quick else ''}; baseline: {report.baseline or 'none'}", ""]
    lines += ["| suite | headline | value | vs baseline | time |", "|---|---|---|---|---|"]
    for s in report.suites:
        if s.status != "ok":
            lines.append(f"| {s.name} | {s.status} | - | {s.reason[:90]} | {s.seconds:.0f} s |")
            continue
        gated = [m for m in s.metrics if m.gate and m.value is not None] or s.metrics
        head = gated[0] if gated else None
        gated = {c.verdict for m in s.metrics if (s.name, m.name) in changes and m.gate
                 for c in [changes[(s.name, m.name)]]}
        mark = next((MARK[v] for v in ("regression", "better", "new") if v in gated),
                    MARK["same"] if gated else "·")
        if any(changes[(s.name, m.name)].verdict == "worse" for m in s.metrics
               if (s.name, m.name) in changes):
            mark += " slower"
        lines.append(f"| {s.name} | {head.name if head else '-'} | "
                     f"{_fmt(head.value if head else None)} | {mark} "
                     f"{_delta(changes[(s.name, head.name)]) if head else ''} | "
                     f"{s.seconds:.0f} s |")
    return lines


def to_markdown(report: RunReport, plots: list[str]) -> str:
    lines = [f"# mcp-sre evaluation — {report.started}", "", *summary_lines(report), ""]
    lines += [f"![{p}]({p})" for p in plots] + [""]
    changes = {(c.suite, c.metric): c for c in report.changes}
    for s in report.suites:
        lines += [f"## {s.name}", "", f"status: {s.status}" + (f" — {s.reason}" if s.reason else "")
                  + f"; {s.seconds:.1f} s" + (f"; cost {s.cost:.4f}" if s.cost else ""), ""]
        if s.metrics:
            lines += ["| metric | value | baseline | change | |", "|---|---|---|---|---|"]
            for m in s.metrics:
                c = changes.get((s.name, m.name))
                lines.append(f"| {m.name}{'' if m.gate else ' (not gated)'} | "
                             f"{_fmt(m.value, m.unit)} | {_fmt(c.baseline if c else None, m.unit)}"
                             f" | {_delta(c) if c else ''} | {MARK[c.verdict] if c else ''} |")
            lines.append("")
        for key, value in s.details.items():
            if value not in (None, [], {}, ""):
                text = json.dumps(value, ensure_ascii=False)
                lines.append(f"- {key}: {text[:600]}{'…' if len(text) > 600 else ''}")
        lines.append("")
    return "\n".join(lines)


def _plots(report: RunReport, folder: Path) -> list[str]:
    """Quality metrics (0-1) per suite against the baseline, and seconds per suite."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    rows = [(f"{c.suite} {c.metric}", c.value, c.baseline) for c in report.changes
            if c.value is not None and 0 <= c.value <= 1 and c.verdict != "n/a"
            and any(m.gate and m.better == "higher" for s in report.suites
                    if s.name == c.suite for m in s.metrics if m.name == c.metric)]
    if rows:
        fig, ax = plt.subplots(figsize=(9, max(3, 0.28 * len(rows))))
        ys = range(len(rows))
        ax.barh([y + 0.2 for y in ys], [r[1] for r in rows], height=0.4, label="now")
        ax.barh([y - 0.2 for y in ys], [r[2] or 0 for r in rows], height=0.4, label="baseline",
                alpha=0.6)
        ax.set_yticks(list(ys), [r[0] for r in rows], fontsize=7)
        ax.set_xlim(0, 1)
        ax.legend(loc="lower right")
        ax.set_title("quality vs baseline")
        fig.tight_layout()
        fig.savefig(folder / "quality.png", dpi=110)
        plt.close(fig)
        written.append("quality.png")
    fig, ax = plt.subplots(figsize=(9, max(3, 0.3 * len(report.suites))))
    ax.barh([s.name for s in report.suites], [s.seconds for s in report.suites])
    ax.set_xlabel("seconds")
    ax.set_title("duration per suite")
    fig.tight_layout()
    fig.savefig(folder / "durations.png", dpi=110)
    plt.close(fig)
    written.append("durations.png")
    return written


def write_report(report: RunReport, folder: Path) -> Path:
    """``report.md``, ``report.json`` and the plots in ``folder``; returns the Markdown path."""
    folder.mkdir(parents=True, exist_ok=True)
    plots = _plots(report, folder)
    atomic_write(folder / "report.json", report.model_dump_json(indent=1))
    atomic_write(folder / "report.md", to_markdown(report, plots))
    return folder / "report.md"
