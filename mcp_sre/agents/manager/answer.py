"""The final answer, composed from the steps' observations without a model.

Each step that ran contributes its summary (and up to three pieces of evidence); steps that
failed say what could not be done; skipped and cancelled steps are listed so a partial answer
says what is missing. Chinese requests get Chinese headings.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["compose_answer"]

_CJK = re.compile(r"[\u4e00-\u9fff]")
_WORDS = {
    "en": {"none": "Nothing could answer this request.", "failed": "Could not",
           "missing": "Not done", "tried": "Tried"},
    "zh": {"none": "没有步骤能回答这个请求。", "failed": "未能完成", "missing": "未执行",
           "tried": "尝试过"},
}


def compose_answer(request: str, steps: dict[str, Any], order: list[str], *,
                   lang: str | None = None) -> tuple[str, list[dict[str, Any]]]:
    """(answer text, findings: one dict per step that produced something)."""
    words = _WORDS[lang or ("zh" if _CJK.search(request or "") else "en")]
    lines: list[str] = []
    problems: list[str] = []
    missing: list[str] = []
    findings: list[dict[str, Any]] = []
    for step_id in order:
        step = steps.get(step_id)
        if not isinstance(step, dict):
            continue
        status = step.get("status")
        summary = str(step.get("summary") or "").strip()
        if status == "ok" and summary:
            lines.append(summary)
            lines.extend(f"  - {e}" for e in (step.get("evidence") or [])[:3])
            findings.append({"step": step_id, "summary": summary,
                             "data": {k: v for k, v in (step.get("data") or {}).items()
                                      if k != "code"}})
        elif status in ("failed", "needs_input"):
            problems.append(f"{step_id}: {summary or '; '.join(step.get('errors') or [])}")
        elif status == "cancelled":
            missing.append(step_id)
    if not lines:
        lines.append(words["none"])
        if problems:
            lines.append(f"{words['tried']}: " + "; ".join(problems))
    elif problems:
        lines.append(f"{words['failed']}: " + "; ".join(problems))
    if missing:
        lines.append(f"{words['missing']}: " + ", ".join(missing))
    return "\n".join(lines), findings
