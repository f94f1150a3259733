"""What every suite hands back, and what a whole run (compared with a baseline) amounts to."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["Change", "Metric", "RunReport", "SuiteResult"]

Better = Literal["higher", "lower"]


class Metric(BaseModel):
    """One number a suite measured."""

    name: str = Field(description="Metric name, unique within the suite (top1, p50_ms, ...)")
    value: float | None = Field(description="The measured value (None: not measurable now)")
    better: Better | None = Field(default="higher",
                                  description="Which way is an improvement; None: informational")
    band: float = Field(default=0.01, ge=0, description="Noise band: a change within it is noise "
                        "(absolute, in the metric's unit)")
    relative_band: float = Field(default=0.0, ge=0, description="Extra band as a share of the "
                                 "baseline value (latency: timing noise on shared cores)")
    gate: bool = Field(default=True, description="A move past the band the wrong way fails the run")
    unit: str = Field(default="", description="Unit for people (ms, s, tokens, USD; '' = share)")


class SuiteResult(BaseModel):
    """A suite's outcome: its metrics, or why it was skipped or failed."""

    name: str = Field(description="Suite name, e.g. retrieval:sre5, diagnosis, codegen")
    status: Literal["ok", "skipped", "error"] = Field(description="ok, skipped (with the reason) "
                                                      "or error (the suite itself broke)")
    reason: str = Field(default="", description="Why skipped or failed; empty when ok")
    seconds: float = Field(default=0.0, description="Wall time of the suite")
    cost: float | None = Field(default=None, description="Model cost, when priced")
    metrics: list[Metric] = Field(default_factory=list, description="What it measured")
    details: dict[str, object] = Field(default_factory=dict,
                                       description="Suite-specific extras (misses, fixes, ...)")

    def metric(self, name: str) -> Metric | None:
        return next((m for m in self.metrics if m.name == name), None)


class Change(BaseModel):
    """A metric against the baseline."""

    suite: str = Field(description="Suite name")
    metric: str = Field(description="Metric name")
    value: float | None = Field(description="Now")
    baseline: float | None = Field(description="In the baseline (None: new)")
    delta: float | None = Field(description="value - baseline")
    band: float = Field(description="Noise band used (absolute)")
    verdict: Literal["better", "same", "worse", "regression", "new", "n/a"] = Field(
        description="better/same; worse = past the band on an ungated metric; regression = "
        "past the band on a gated one (fails the run)")


class RunReport(BaseModel):
    """One ``eval all`` run."""

    started: str = Field(description="UTC start time (ISO 8601)")
    quick: bool = Field(description="The --quick subset")
    seconds: float = Field(description="Wall time of the whole run")
    baseline: str | None = Field(default=None, description="Baseline file compared against")
    suites: list[SuiteResult] = Field(default_factory=list, description="Every suite, in order")
    changes: list[Change] = Field(default_factory=list, description="Metrics vs the baseline")

    @property
    def regressions(self) -> list[Change]:
        return [c for c in self.changes if c.verdict == "regression"]

    @property
    def errors(self) -> list[SuiteResult]:
        return [s for s in self.suites if s.status == "error"]

    @property
    def failed(self) -> bool:
        return bool(self.regressions or self.errors)
