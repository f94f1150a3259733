"""Reading the model's reply, and writing back what happened when its code ran.

The observation is the part of the loop that makes round 2 better than round 1: the sandbox's
error class and message first (a bad parameter arrives with the list of valid ones), then the
traceback trimmed to the frames of the writer's own code with lines renamed to ``code``/``test``,
then the bridged calls that were refused, then the tail of the output.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from pydantic import BaseModel, Field

from mcp_sre.registry.models import NAME_PATTERN, slug_name
from mcp_sre.toolcode.harness import locate_line

__all__ = ["Reply", "observe_run", "parse_reply"]

_THINK = re.compile(r"<think>.*?</think>", re.S | re.I)
_FENCE = re.compile(r"^```[ \t]*([^\n`]*)\n(.*?)^```[ \t]*$", re.S | re.M)
_FIELD = re.compile(r"^\s*\**(NAME|DESCRIPTION)\**\s*:\s*(.+?)\s*$", re.M | re.I)
_FRAME = re.compile(r'File "<sandbox>", line (\d+)')
MAX_TRACEBACK_LINES = 14
MAX_OUTPUT_CHARS = 800


class Reply(BaseModel):
    """The two pieces of code (and the naming) extracted from a model reply."""

    name: str = Field(default="", description="Tool name the model proposed")
    description: str = Field(default="", description="One-sentence description it proposed")
    code: str = Field(default="", description="The CODE block")
    test: str = Field(default="", description="The TEST block")
    problem: str | None = Field(default=None, description="Why the reply could not be used")


def _split_tests(block: str) -> tuple[str, str]:
    """One block holding both main() and test_*(): cut at the first top-level test_."""
    match = re.search(r"^def test_", block, re.M)
    if not match:
        return block, ""
    return block[: match.start()].rstrip() + "\n", block[match.start():]


def parse_reply(text: str) -> Reply:
    """Find NAME, DESCRIPTION and the ``code``/``test`` fenced blocks, tolerating common
    deviations (unlabelled blocks in order, both pieces in one block, a ``<think>`` preamble)."""
    text = _THINK.sub("", text or "")
    reply = Reply()
    for key, value in _FIELD.findall(text):
        if key.lower() == "name" and not reply.name:
            reply.name = value.strip("`* ").lower()
        elif key.lower() == "description" and not reply.description:
            reply.description = value.strip("`* ")
    blocks = [(info.strip().lower(), body) for info, body in _FENCE.findall(text)]
    code = next((b for info, b in blocks if re.search(r"\b(code|tool)\b", info)), None)
    test = next((b for info, b in blocks if re.search(r"\btests?\b", info)), None)
    plain = [b for info, b in blocks if info in ("", "python", "py", "python3")]
    if code is None and plain:
        code = plain.pop(0)
    if test is None and plain:
        test = plain.pop(0)
    if code is not None and not test:
        code, test = _split_tests(code)
    if not code or not code.strip():
        reply.problem = ("the reply has no code block: answer with a ```python code block and "
                         "a ```python test block")
        return reply
    reply.code, reply.test = code.strip("\n") + "\n", (test or "").strip("\n") + "\n"
    if not (test or "").strip():
        reply.problem = "the reply has no test block: add a ```python test block with test_*()"
    if reply.name and not NAME_PATTERN.match(reply.name):
        reply.name = slug_name(reply.name, "")
    return reply


def _trim_traceback(stderr: str, code: str, test: str, message: str = "") -> str:
    """The writer's frames only (not the harness's or the guest library's), with program lines
    mapped back to ``code``/``test`` lines; the final line is dropped when it repeats
    ``message``."""
    if not stderr.strip():
        return ""
    lines = stderr.rstrip().splitlines()
    start = max((i for i, ln in enumerate(lines) if ln.startswith("Traceback")), default=-1)
    lines = lines[start + 1:]
    out: list[str] = []
    skipping = False
    for ln in lines:
        if ln.startswith("  File "):
            match = _FRAME.search(ln)
            part = locate_line(code, test, int(match.group(1)))[0] if match else "library"
            skipping = part not in ("code", "test")
            if not skipping and match:
                number = locate_line(code, test, int(match.group(1)))[1]
                out.append(ln[: match.start()] + f'File "{part}", line {number}'
                           + ln[match.end():])
            continue
        if ln.startswith("    ") and skipping:
            continue
        skipping = False
        out.append(ln)
    if out and message and not out[-1].startswith(" "):
        tail = out[-1].split(": ", 1)[-1].strip()
        if tail and tail in message:
            out.pop()
    if len(out) > MAX_TRACEBACK_LINES:
        out = ["  ...", *out[-MAX_TRACEBACK_LINES:]]
    return "\n".join(out)[-2000:]


def _calls_summary(calls: list[Any], message: str = "") -> str:
    refused = [c for c in calls if c.decision != "allowed" or c.error is not None]
    allowed = Counter(c.operation for c in calls if c.decision == "allowed")
    lines = []
    if allowed:
        lines.append("Calls that ran: " + ", ".join(f"{op} x{n}" for op, n in allowed.items()))
    for c in refused[:5]:
        why = c.reason or (f"{c.error.type}: {c.error.message}" if c.error else "")
        if why and why in message:
            continue  # already said above
        lines.append(f"Refused/failed call {c.operation} ({c.decision}): {why[:400]}")
    return "\n".join(lines)


def _tail(text: str, limit: int = MAX_OUTPUT_CHARS) -> str:
    text = text.strip()
    return text if len(text) <= limit else "…" + text[-limit:]


def observe_run(run: Any, code: str, test: str) -> str:
    """What the model needs to fix its code, from a sandbox ``RunResult``."""
    if run.ok:
        parts = ["The test PASSED."]
        if not run.calls:
            parts.append("Note: the code made no API call.")
        if run.stdout.strip():
            parts.append("Output:\n" + _tail(run.stdout))
        return "\n".join(parts)
    error = run.error
    parts = [f"The test FAILED with {error.type}: {error.message}" if error else
             "The test FAILED."]
    if error and error.type == "validation_error":
        parts.append("Use only the parameter names the host lists as valid, exactly as "
                     "spelled.")
    elif error and error.type == "policy_denied":
        parts.append("The sandbox is read-only: use only read operations.")
    elif error and error.type == "timeout":
        parts.append("Make fewer calls: filter server-side, cap pages, narrow time windows.")
    message = error.message if error else ""
    traceback = _trim_traceback(run.stderr, code, test, message)
    if traceback:
        parts.append("Traceback (your code's frames):\n" + traceback)
    elif run.stderr.strip():
        parts.append("Stderr:\n" + _tail(run.stderr))
    calls = _calls_summary(run.calls, message)
    if calls:
        parts.append(calls)
    if run.stdout.strip():
        parts.append("Output before the failure:\n" + _tail(run.stdout))
    return "\n".join(parts)
