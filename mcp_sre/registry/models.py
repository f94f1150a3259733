"""What the registry stores and returns: a registered tool, its checks, its usage and score.

One :class:`RegisteredTool` is one *version* of a tool; it is written to disk as
``<name>/v<N>/meta.json`` (everything but the code and the test, which sit beside it as
``tool.py`` and ``test_tool.py`` so a person can read them). The tool's state across versions
(which version is active, active or deprecated) is a :class:`ToolState` in ``<name>/tool.json``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from mcp_sre.toolcode.models import CheckReport, TestReport, utcnow

__all__ = [
    "NAME_PATTERN",
    "CheckReport",
    "RegisteredTool",
    "Status",
    "TestReport",
    "ToolMatch",
    "ToolState",
    "ToolStats",
    "ToolSummary",
    "slug_name",
    "utcnow",
]

NAME_PATTERN = re.compile(r"\A[a-z][a-z0-9_]{2,63}\Z")  # \Z: "$" would accept a trailing newline
Status = Literal["active", "deprecated"]


def slug_name(text: str, fallback: str = "generated_tool") -> str:
    """A registry-safe tool name from free text (ASCII words only; else the fallback)."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    name = "_".join(words)[:64].strip("_")
    if name and not name[0].isalpha():
        name = "t_" + name
    return name if NAME_PATTERN.match(name or "") else fallback


class RegisteredTool(BaseModel):
    """One version of a registered tool: the code, how it is called, and why it was accepted."""

    name: str = Field(description="Tool name (also the MCP tool name): lower_snake_case")
    description: str = Field(description="What the tool does, for the model that picks tools")
    code: str = Field(description="Python defining main(**params); runs in the sandbox")
    test: str = Field(description="Python that calls main(...) with examples and asserts")
    parameters: dict[str, Any] = Field(description="JSON Schema of main's keyword arguments")
    returns: dict[str, Any] | None = Field(default=None,
                                           description="JSON Schema of main's return value")
    providers: list[str] = Field(default_factory=list,
                                 description="Providers the code may call (the sandbox enforces)")
    operations: list[str] = Field(default_factory=list,
                                  description="Operation ids the code calls (static + test run)")
    targets: list[str] = Field(default_factory=list,
                               description="Local targets the test needs, e.g. moto, k8s-local")
    version: int = Field(default=1, ge=1, description="1, 2, ... per re-registration")
    created_at: datetime = Field(default_factory=utcnow, description="When this version was made")
    request: str | None = Field(default=None, description="The request that created the tool")
    created_by: str = Field(default="register_tool",
                            description="register_tool (an assistant) or codegen")
    checks: CheckReport | None = Field(default=None, description="Static checks and review")
    test_result: TestReport | None = Field(default=None, description="The sandbox test run")

    def meta(self) -> dict[str, Any]:
        """What goes to meta.json (code and test live in their own files)."""
        return self.model_dump(mode="json", exclude={"code", "test"})


class ToolState(BaseModel):
    """A tool's state across its versions (``<name>/tool.json``)."""

    name: str = Field(description="Tool name")
    active_version: int = Field(description="The version that runs when the tool is called")
    latest_version: int = Field(description="The highest version ever registered")
    status: Status = Field(default="active", description="deprecated tools are hidden, kept")
    status_reason: str = Field(default="", description="Why the status last changed")
    status_changed_at: datetime = Field(default_factory=utcnow,
                                        description="Score windows start here (restore resets)")
    history: list[str] = Field(default_factory=list,
                               description="Lines like '2025-01-01T00:00Z v2 registered'")


class ToolStats(BaseModel):
    """Usage of a tool, all versions together unless stated."""

    calls: int = Field(default=0, description="Calls recorded")
    successes: int = Field(default=0, description="Calls whose run succeeded")
    failures: int = Field(default=0, description="Calls whose run failed")
    last_error: str | None = Field(default=None, description="The last failure's message")
    last_called_at: datetime | None = Field(default=None, description="When it was last called")
    latency_p50_ms: float | None = Field(default=None, description="Median run time, recent calls")
    window_calls: int = Field(default=0,
                              description="Calls of the active version since its status changed")
    window_successes: int = Field(default=0, description="Successes within that window")


class ToolSummary(BaseModel):
    """What list/find show about a tool."""

    name: str = Field(description="Tool name")
    description: str = Field(description="What it does")
    version: int = Field(description="Active version")
    versions: int = Field(description="How many versions exist")
    status: Status = Field(description="active or deprecated")
    parameters: dict[str, Any] = Field(description="JSON Schema of the arguments")
    providers: list[str] = Field(description="Providers it calls")
    operations: list[str] = Field(description="Operation ids it calls")
    created_at: datetime = Field(description="When the active version was registered")
    score: float = Field(description="0..1 from success rate, usage and age; best first")
    stats: ToolStats = Field(description="Usage statistics")


class ToolMatch(BaseModel):
    """One answer of ``find``: a tool and how well it fits the request."""

    tool: ToolSummary = Field(description="The matching tool")
    similarity: float = Field(description="0..1 fit between the request and the tool (ranks)")
    confidence: float = Field(default=0.0, description="0..1 estimate that reusing this tool "
                              "answers the request (decides reuse)")
    reuse: bool = Field(description="True on the best match when its confidence reaches the "
                        "reuse threshold")
