"""The diagnosis report and what it is built from: one model for the rules path and the LLM path.

Layers, as an SRE writes them: symptom (what is observed) -> direct cause (the mechanism) ->
root cause (the fact that explains it) -> evidence (quoted, with the operation and time) -> fix
(never applied) -> prevention -> confidence, plus what was checked, ruled out and not visible.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from mcp_sre.errors import McpSreError

__all__ = [
    "DiagnosisError",
    "DiagnosisReport",
    "Evidence",
    "ObjectRef",
    "Signal",
    "Step",
]

Layer = Literal["symptom", "direct", "root"]


class DiagnosisError(McpSreError):
    """The diagnosis cannot start: no target, no provider knowledge, bad input."""


class ObjectRef(BaseModel):
    """One object of the provider's object graph."""

    kind: str = Field(description="Object kind, e.g. Pod")
    namespace: str = Field(default="", description="Namespace; empty for cluster-scoped kinds")
    name: str = Field(description="Object name")

    def label(self) -> str:
        return f"{self.kind} {self.namespace + '/' if self.namespace else ''}{self.name}"


class Evidence(BaseModel):
    """One quoted fact: a field, an event, a log line or an absence."""

    id: str = Field(description="Short id the report's layers cite, e.g. E3")
    source: Literal["field", "event", "log", "absence", "metric"] = Field(
        description="Where the quote comes from")
    object: str = Field(description="The object it belongs to, e.g. 'Pod shop/web-1'")
    path: str = Field(default="", description="Field path, event reason or container log")
    quote: str = Field(description="The value, event message or log line, verbatim")
    operation: str = Field(default="", description="Operation id of the read that returned it")
    time: str = Field(default="", description="When it happened (event/log) or was read")


class Signal(BaseModel):
    """An anomaly found by a signal rule, with the facts its templates may use."""

    rule: str = Field(description="Signal rule id")
    layer: Layer = Field(description="Which layer of the report it can fill")
    score: float = Field(description="Rank; higher is more telling")
    object: ObjectRef = Field(description="Object it was found on")
    facts: dict[str, Any] = Field(default_factory=dict, description="Named values for templates")
    evidence: list[str] = Field(default_factory=list, description="Evidence ids")


class Step(BaseModel):
    """One thing the agent did: a read, a reasoning step, an LLM turn."""

    action: str = Field(description="read | reason | llm | fallback")
    detail: str = Field(description="Operation id and parameters, or what was decided")
    why: str = Field(default="", description="Why it was done")
    ms: float = Field(default=0.0, description="How long it took")
    outcome: str = Field(default="ok", description="ok | not_found | forbidden | error | ...")


class DiagnosisReport(BaseModel):
    """The layered root-cause report (Markdown for people via ``render``; JSON for agents)."""

    question: str = Field(description="The question as asked")
    language: Literal["en", "zh"] = Field(description="Language of the report's text")
    target: ObjectRef | None = Field(default=None, description="What the question is about")
    status: Literal["problem_found", "nothing_abnormal", "target_not_found"] = Field(
        description="Whether a problem was found")
    symptom: str = Field(default="", description="What is observed")
    direct_cause: str = Field(default="", description="The mechanism (OOMKilled, exit 1, ...)")
    root_cause: str = Field(default="", description="The fact that explains it")
    evidence: list[Evidence] = Field(default_factory=list, description="Quoted facts")
    fix: list[str] = Field(default_factory=list, description="What a person would change "
                           "(YAML or CLI); never applied by mcp-sre")
    prevention: list[str] = Field(default_factory=list, description="How to avoid a repeat")
    confidence: float = Field(default=0.0, ge=0, le=1, description="0..1")
    checked: list[str] = Field(default_factory=list, description="What was read and looked at")
    ruled_out: list[str] = Field(default_factory=list, description="Causes looked for, not found")
    could_not_see: list[str] = Field(default_factory=list,
                                     description="Reads refused (403) or unavailable")
    signals: list[Signal] = Field(default_factory=list, description="Ranked anomaly signals")
    steps: list[Step] = Field(default_factory=list, description="What was read, why, how long")
    reasoner: str = Field(default="rules", description="'rules' or 'llm: <model>'")
    note: str = Field(default="", description="E.g. why the LLM answer was not used")
    duration_s: float = Field(default=0.0, description="Wall time of the diagnosis")
    root_rule: str = Field(default="", description="Id of the rule that gave the root cause "
                           "(feedback on the diagnosis weighs it)")
