"""The security review of final code before it may be registered.

Two layers: the static rules (:func:`mcp_sre.toolcode.review.security_findings`: no write
operations, no secrets, no unbounded loops over paginated APIs; the same rules
``register_tool`` applies), then -- when a model is available -- an LLM review that reads the
code as a skeptical reviewer would and must answer SAFE or UNSAFE. An UNSAFE verdict refuses
the code; a model that cannot be reached or answers unclearly does not (the AST rules and the
sandbox policy still hold), and the review says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, Literal

from pydantic import BaseModel, Field

from mcp_sre.llm import LLM, Message
from mcp_sre.sandbox.policy import BUILTIN_SENSITIVE
from mcp_sre.toolcode.calls import SdkNamer, operations_in
from mcp_sre.toolcode.review import security_findings

__all__ = ["REVIEW_SYSTEM", "SecurityReview", "llm_review", "review_code"]

Verdict = Literal["safe", "unsafe", "unclear", "unavailable", "skipped"]
_VERDICT = re.compile(r"VERDICT\s*:\s*\**\s*(SAFE|UNSAFE)\b", re.I)

REVIEW_SYSTEM = """\
You are a security reviewer. The Python below will run unattended, as a reusable tool, against
production cloud accounts through a read-only bridge. Refuse it if it does any of these:
- calls an operation that creates, changes or deletes anything (writes), or tries to;
- reads or prints secret material (secret values, decrypted data, credentials, tokens), or
  embeds credentials;
- loops over a paginated API without a cap on pages or items;
- tries to escape the sandbox (file writes, network, processes, introspection tricks);
- does something other than what its description says.
Reply with one line `VERDICT: SAFE` or `VERDICT: UNSAFE`, then one short line per problem."""


class SecurityReview(BaseModel):
    """The verdict on the final code; ``passed`` gates registration."""

    passed: bool = Field(description="No AST finding with severity error and no UNSAFE verdict")
    findings: list[str] = Field(default_factory=list, description="AST rule findings (errors)")
    warnings: list[str] = Field(default_factory=list, description="AST rule warnings")
    operations: list[str] = Field(default_factory=list,
                                  description="Operation ids the code calls, found statically")
    llm_verdict: Verdict = Field(default="skipped", description="The LLM reviewer's verdict")
    llm_notes: str = Field(default="", description="What the LLM reviewer said")
    input_tokens: int | None = Field(default=None, description="LLM review prompt tokens")
    output_tokens: int | None = Field(default=None, description="LLM review completion tokens")


def review_code(code: str, test: str = "", *, lookup: Callable[[str], Any] | None = None,
                sensitive: Iterable[str] | None = None,
                sdk: SdkNamer | None = None) -> SecurityReview:
    """The AST part of the review, over the code and its test."""
    patterns = list(sensitive) if sensitive is not None else list(BUILTIN_SENSITIVE)
    found = security_findings(code, lookup=lookup, sensitive=patterns, sdk=sdk)
    if test.strip():
        found += security_findings(test, where="test", lookup=lookup, sensitive=patterns,
                                   sdk=sdk)
    errors = [str(f) for f in found if f.severity == "error"]
    warnings = [str(f) for f in found if f.severity != "error"]
    return SecurityReview(passed=not errors, findings=errors, warnings=warnings,
                          operations=operations_in(code, sdk))


async def llm_review(llm: LLM, code: str, description: str) -> tuple[Verdict, str, Any]:
    """Ask ``llm`` for a verdict; returns (verdict, notes, completion or None)."""
    prompt = (f"Tool description: {description or '(none)'}\n\n```python\n{code.rstrip()}\n```")
    try:
        answer = await llm.complete([Message(role="system", content=REVIEW_SYSTEM),
                                     Message(role="user", content=prompt)],
                                    max_tokens=600, temperature=0.0)
    except Exception as exc:  # any failure of the model is reported, never raised
        return "unavailable", f"{type(exc).__name__}: {exc}"[:500], None
    match = _VERDICT.search(answer.text or "")
    verdict: Verdict = "unclear" if match is None else (
        "unsafe" if match.group(1).upper() == "UNSAFE" else "safe")
    return verdict, (answer.text or "").strip()[:1500], answer
