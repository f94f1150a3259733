"""The LLM path: a ReAct loop over the evidence that may ask for more reads and writes the same
report model. The model sees the question, the ranked signals, the quoted evidence and the
rules' draft; it answers one JSON object per turn::

    {"action": "read", "operation": "<operation id>", "params": {...}, "why": "..."}
    {"action": "code", "code": "<python using sre.call(...)>", "why": "..."}
    {"action": "final", "symptom": "...", "direct_cause": "...", "root_cause": "...",
     "fix": ["..."], "prevention": ["..."], "confidence": 0.8, "evidence": ["E1", "E4"]}

Reads go through the same bridge and policy as everything else (a write is refused); code
runs in the diagnoser's sandbox (read-only, audited), for evidence no single read gives. A timeout,
an endpoint error or answers that are not such JSON (after one correction) end the loop: the
evidence report is returned with a note saying why.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import anyio

from mcp_sre.agents.diagnosis.models import DiagnosisReport, Step
from mcp_sre.errors import McpSreError
from mcp_sre.llm import Message

__all__ = ["MAX_TURNS", "parse_action", "react_report"]

MAX_TURNS = 5
MAX_OBSERVATION = 3000
_JSON = re.compile(r"\{.*\}", re.S)

SYSTEM = """You diagnose why a workload fails, read-only. You get the question, anomaly signals
found by rules, quoted evidence (ids E1, E2...) and a draft report. Answer with exactly one JSON
object and nothing else:
- to read more: {"action": "read", "operation": "<operation id>", "params": {...}, "why": "..."}
  (operations that list each kind: OPERATIONS; reads only)
- to compute something from several reads: {"action": "code", "code": "import sre\n...print(...)",
  "why": "..."} (read-only Python in a sandbox; sre.call(operation_id, **params) returns JSON)
- to finish: {"action": "final", "symptom": "...", "direct_cause": "...", "root_cause": "...",
  "fix": ["..."], "prevention": ["..."], "confidence": 0.0-1.0, "evidence": ["E1", ...]}
The root cause names the exact fact at fault (a variable, host:port, image tag, limit, name).
Write the report in LANGUAGE. Never propose to apply a change yourself."""


def parse_action(text: str) -> dict[str, Any] | None:
    """The JSON object in a reply (a ``<think>`` preamble and code fences are tolerated)."""
    text = re.sub(r"<think>.*?</think>", "", text or "", flags=re.S | re.I)
    match = _JSON.search(text)
    if not match:
        return None
    try:
        data = json.loads(match.group(0))
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("action") not in ("read", "code", "final"):
        return None
    if data["action"] == "read" and not isinstance(data.get("operation"), str):
        return None
    if data["action"] == "code" and not (isinstance(data.get("code"), str)
                                         and data["code"].strip()):
        return None
    if data["action"] == "final" and not (isinstance(data.get("root_cause"), str)
                                          and data["root_cause"].strip()):
        return None
    return data


def _brief(report: DiagnosisReport) -> str:
    signals = [f"- {s.rule} [{s.layer}, {s.score:.0f}] on {s.object.label()}: "
               + json.dumps(s.facts, ensure_ascii=False, default=str)[:300]
               for s in report.signals[:10]]
    evidence = [f"- {e.id} {e.object} {e.path}: {e.quote[:300]}" for e in report.evidence]
    draft = {"symptom": report.symptom, "direct_cause": report.direct_cause,
             "root_cause": report.root_cause, "fix": report.fix}
    return "\n".join([
        f"Question: {report.question}",
        f"Target: {report.target.label() if report.target else 'none'}",
        "Signals:", *(signals or ["- none"]),
        "Evidence:", *(evidence or ["- none"]),
        "Draft from the rules: " + json.dumps(draft, ensure_ascii=False),
        "Could not see: " + ("; ".join(report.could_not_see) or "nothing"),
    ])


def _fallback(report: DiagnosisReport, why: str, texts: dict[str, str]) -> DiagnosisReport:
    report.note = texts.get("llm_fallback", "LLM answer not used ({why})").replace("{why}", why)
    report.steps.append(Step(action="fallback", detail=why, why="keep the evidence report"))
    return report


async def react_report(run: Any, diagnoser: Any, llm: Any, *, label: str = "",
                       timeout_s: float = 60.0, max_turns: int = MAX_TURNS) -> DiagnosisReport:
    """Run the loop from a finished evidence run; always returns a report."""
    report: DiagnosisReport = run.report.model_copy(deep=True)
    knowledge = diagnoser.knowledge
    texts = knowledge.texts.get(report.language) or knowledge.texts.get("en") or {}
    operations = sorted({k.list for k in knowledge.kinds.values()} |
                        ({str(knowledge.logs["operation"])} if knowledge.logs else set()))
    system = SYSTEM.replace("OPERATIONS", ", ".join(operations)).replace(
        "LANGUAGE", "Chinese" if report.language == "zh" else "English")
    messages = [Message(role="system", content=system), Message(role="user", content=_brief(report))]
    corrected = False
    for turn in range(max_turns):
        started = time.monotonic()
        try:
            with anyio.fail_after(timeout_s):
                reply = await llm.complete(messages, max_tokens=1500)
        except TimeoutError:
            return _fallback(report, f"the LLM did not answer within {timeout_s:g} s", texts)
        except McpSreError as exc:
            return _fallback(report, f"the LLM failed: {exc}", texts)
        ms = round((time.monotonic() - started) * 1000, 1)
        action = parse_action(reply.text)
        report.steps.append(Step(action="llm", detail=(reply.text or "")[:300], ms=ms,
                                 why=f"turn {turn + 1}",
                                 outcome=action["action"] if action else "unusable"))
        messages.append(Message(role="assistant", content=reply.text or ""))
        if action is None:
            if corrected:
                return _fallback(report, "the LLM's answers were not the JSON asked for", texts)
            corrected = True
            messages.append(Message(role="user", content="Answer with one JSON object with "
                                    "\"action\": \"read\" or \"final\" (final needs a "
                                    "non-empty root_cause)."))
            continue
        if action["action"] == "code":
            messages.append(Message(role="user", content=await _run_code(
                diagnoser, run, report, action)))
            continue
        if action["action"] == "read":
            params = action.get("params") if isinstance(action.get("params"), dict) else {}
            result = await anyio.to_thread.run_sync(
                lambda a=action, p=params: run.reader.read(a["operation"], p,
                                                           why=str(a.get("why", "LLM asked"))))
            report.steps.append(run.reader.steps[-1])
            if result.ok:
                body = json.dumps(result.data, ensure_ascii=False, default=str)[:MAX_OBSERVATION]
                eid = run.book.add(source="field", object=action["operation"],
                                   path=json.dumps(params, ensure_ascii=False)[:200],
                                   quote=body[:400], operation=action["operation"],
                                   time=result.time)
                if all(e.id != eid for e in report.evidence):
                    report.evidence.append(next(e for e in run.book.items if e.id == eid))
                observation = f"{eid}: {body}"
            else:
                observation = f"the read failed ({result.outcome}): {result.message}"
                if result.outcome == "forbidden":
                    report.could_not_see = list(run.reader.could_not_see)
            messages.append(Message(role="user", content=observation))
            continue
        return _final(report, action, label)
    return _fallback(report, f"no final answer after {max_turns} turns", texts)


async def _run_code(diagnoser: Any, run: Any, report: DiagnosisReport,
                    action: dict[str, Any]) -> str:
    """Run the model's code in the sandbox; the observation (and an evidence item) comes back."""
    started = time.monotonic()
    why = str(action.get("why", "LLM asked"))
    try:
        result = await anyio.to_thread.run_sync(
            lambda: diagnoser.sandbox.run(action["code"], timeout_s=30))
    except McpSreError as exc:
        report.steps.append(Step(action="code", detail=action["code"][:300], why=why,
                                 outcome="error"))
        return f"the code could not run: {exc}"
    ms = round((time.monotonic() - started) * 1000, 1)
    report.steps.append(Step(action="code", detail=action["code"][:300], why=why, ms=ms,
                             outcome="ok" if result.ok else "error"))
    if not result.ok:
        error = result.error.message if result.error else "failed"
        return f"the code failed: {error}\n{result.stderr[-800:]}"
    body = result.stdout if result.result is None else json.dumps(
        result.result, ensure_ascii=False, default=str)
    operations = sorted({c.operation for c in result.calls})
    eid = run.book.add(source="field", object="sandbox code", path=why[:200],
                       quote=body[:400], operation=", ".join(operations)[:300],
                       time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    if all(e.id != eid for e in report.evidence):
        report.evidence.append(next(e for e in run.book.items if e.id == eid))
    return f"{eid}: {body[:MAX_OBSERVATION]}"


def _final(report: DiagnosisReport, action: dict[str, Any], label: str) -> DiagnosisReport:
    def lines(value: Any) -> list[str]:
        if isinstance(value, str):
            return [value] if value.strip() else []
        return [str(v) for v in value or [] if str(v).strip()]

    cited = set(lines(action.get("evidence")))
    known = {e.id for e in report.evidence}
    report.symptom = str(action.get("symptom") or report.symptom)
    report.direct_cause = str(action.get("direct_cause") or report.direct_cause)
    report.root_cause = str(action["root_cause"]).strip()
    report.fix = lines(action.get("fix")) or report.fix
    report.prevention = lines(action.get("prevention")) or report.prevention
    try:
        report.confidence = max(0.0, min(1.0, float(action.get("confidence", report.confidence))))
    except (TypeError, ValueError):
        pass
    if cited & known:  # the cited evidence first
        report.evidence.sort(key=lambda e: e.id not in cited)
    report.status = "problem_found"
    report.reasoner = f"llm: {label}" if label else "llm"
    return report
