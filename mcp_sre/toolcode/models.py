"""What the checks of tool code report: the review (one finding per problem) and the run of the
tool's own test; both gate registration and are stored with every registered version."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

__all__ = ["CheckReport", "ReviewFinding", "Severity", "TestReport", "utcnow"]

Severity = Literal["error", "warning"]


def utcnow() -> datetime:
    return datetime.now(UTC)


class ReviewFinding(BaseModel):
    """One problem found in a tool before it may be registered."""

    rule: str = Field(description="Stable rule id, e.g. syntax, sandbox_scan, write_call, secret")
    message: str = Field(description="What is wrong and what to change")
    line: int = Field(default=0, description="1-based line in the code (or test); 0 if none")
    where: Literal["code", "test", "parameters", "name", "returns"] = Field(
        default="code", description="Which part of the submission the finding is about")
    severity: Severity = Field(default="error", description="error refuses; warning only informs")

    def __str__(self) -> str:
        at = f"{self.where} line {self.line}" if self.line else self.where
        return f"[{self.rule}] {at}: {self.message}"


class CheckReport(BaseModel):
    """Static checks plus the security review, as run at registration."""

    passed: bool = Field(description="True when no finding has severity error")
    findings: list[ReviewFinding] = Field(default_factory=list, description="Everything found")
    operations: list[str] = Field(default_factory=list,
                                  description="Operation ids the code calls, found statically")


class TestReport(BaseModel):
    """The tool's own test, run in the sandbox."""

    __test__ = False  # not a pytest class

    passed: bool = Field(description="True when every test ran and no assertion failed")
    tests: list[str] = Field(default_factory=list, description="Test functions that ran")
    error: str | None = Field(default=None, description="Why the test failed (type: message)")
    stderr: str = Field(default="", description="The tail of the traceback, if any")
    operations: list[str] = Field(default_factory=list,
                                  description="Operation ids the sandbox saw the test call")
    duration_ms: float = Field(default=0.0, description="Wall time of the sandbox run")
    sample: Any = Field(default=None, description="The first value main() returned in the test")
    ran_at: datetime = Field(default_factory=utcnow, description="When the test ran")
