"""Mapping rules and collection plans: provider knowledge as data.

Each provider plugin ships one YAML file (returned by its ``health_mappings`` hook) with
``rules`` -- which fields of a response are the resource, its labels, metrics (name, value,
unit, time), states, log lines and traces -- and ``calls``: the read operations that gather
them. The core applies them without knowing any cloud; a rule the LLM proposes for an unknown
shape is the same model, saved next to the user's data.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mcp_sre.agents.health.schema import HealthStatus
from mcp_sre.agents.health.yamlfile import load_model, read_yaml

__all__ = [
    "Call",
    "LogSpec",
    "MappingFile",
    "MetricSpec",
    "Rule",
    "StateSpec",
    "TraceSpec",
    "load_mapping_file",
]

Field_ = Any  # a field spec (see mcp_sre.agents.health.paths)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MetricSpec(_Strict):
    metric: Field_ = Field(
        description="Metric name: a plain word is literal, else a field "
        "spec; translated through the rule's metric_names"
    )
    value: Field_ = Field(description="Value(s): one per point")
    unit: Field_ = Field(
        default=None, description="Unit: a plain word is literal, else a field spec"
    )
    time: Field_ = Field(default=None, description="Time(s) of the points")


class StateSpec(_Strict):
    signal: str = Field(description="Name of the state, e.g. instance_state")
    path: Field_ = Field(description="Where the state value is")
    map: dict[str, HealthStatus] = Field(
        description="State value -> status; '*' for any "
        "other value; values not mapped are not judged"
    )
    detail: Field_ = Field(default=None, description="Message or reason to show with it")


class LogSpec(_Strict):
    message: Field_ = Field(description="The log line")
    stream: Field_ = Field(default=None, description="Stream or group name")


class TraceSpec(_Strict):
    duration: Field_ = Field(description="Duration in seconds")
    error: list[Field_] = Field(default_factory=list, description="Flags; any true = failed")


class TagSpec(_Strict):
    list: str = Field(description="Path of the list of tag objects")
    key: str = Field(default="Key", description="Field holding the tag key")
    value: str = Field(default="Value", description="Field holding the tag value")


class Rule(_Strict):
    """How one response shape maps onto resources and signals."""

    name: str = Field(description="Unique rule name")
    operation: str | None = Field(default=None, description="Operation id (glob) it applies to")
    shape: list[str] = Field(
        default_factory=list,
        description="Paths that must exist for the "
        "rule to apply to a response of another operation",
    )
    records: str = Field(default="$record", description="Path of the records in the response")
    decode: list[str] = Field(
        default_factory=list,
        description="Keys of a record whose string "
        "value is JSON, decoded before the fields are read",
    )
    where: dict[str, Any] = Field(
        default_factory=dict,
        description="Keep records whose path equals the value (or one of a list)",
    )
    kind: Field_ = Field(default=None, description="Component kind")
    id: Field_ = Field(description="Resource identifier")
    display: Field_ = Field(default=None, description="Display name")
    aliases: list[Field_] = Field(
        default_factory=list,
        description="Other identifiers (ARN parts, dimension values) signals may use",
    )
    component: bool = Field(
        default=True,
        description="Records are resources (scope "
        "candidates); false: records only add signals to existing ones",
    )
    weak: bool = Field(
        default=False,
        description="Records name a component that another "
        "provider may own (a metric series of a workload): when both are seen, "
        "the owner's kind and id are shown",
    )
    parent: Field_ = Field(
        default=None,
        description="Identifier of the resource these roll up into (a pod into its workload)",
    )
    placement: Field_ = Field(default=None, description="Name of the host it runs on (a node)")
    labels: Field_ = Field(default=None, description="Mapping(s) of labels")
    tags: TagSpec | None = Field(default=None, description="List-of-pairs tags")
    namespace: Field_ = Field(default=None, description="Namespace, when there is one")
    metric_names: dict[str, str] = Field(
        default_factory=dict, description="Provider metric name -> canonical name"
    )
    metrics: list[MetricSpec] = Field(default_factory=list)
    states: list[StateSpec] = Field(default_factory=list)
    log: LogSpec | None = None
    trace: TraceSpec | None = None

    def matches(self, operation: str) -> bool:
        return self.operation is not None and fnmatch.fnmatchcase(operation, self.operation)


class Paginate(_Strict):
    token: str = Field(description="Path of the next-page token in the response")
    param: str = Field(description="Request parameter that takes it")
    max_pages: int = Field(default=10)


class FollowUp(_Strict):
    """A read made with values found in another read's answer (ids -> details)."""

    operation: str = Field(description="Operation id")
    path: str = Field(
        default="", description="Batch mode: where the values are in the first answer"
    )
    param: str = Field(
        default="", description="Batch mode: the parameter that takes a batch of them (a list)"
    )
    each: str = Field(
        default="",
        description="Per-record mode: one call per record at this "
        "path; params may use {rec:PATH} for the record's fields",
    )
    in_scope: str = Field(
        default="",
        description="Per-record mode: keep records where a value "
        "at this path is an in-scope resource's id, alias or name",
    )
    where: dict[str, Any] = Field(
        default_factory=dict,
        description="Per-record mode: keep records whose path matches the value (glob, or a list)",
    )
    batch: int = Field(default=5, description="Values per call")
    max_calls: int = Field(default=4, description="Follow-up calls at most")
    params: dict[str, Any] = Field(default_factory=dict, description="Other parameters")


class Call(_Strict):
    """One read the collector makes (params are templates: {start}, {end}, {start_epoch},
    {end_epoch}, {window_s}, {id}, {name}, {scope_regex}...)."""

    operation: str = Field(description="Operation id")
    params: dict[str, Any] = Field(default_factory=dict)
    ctx: dict[str, Any] = Field(default_factory=dict, description="Given to rules as $ctx")
    for_each: str | None = Field(
        default=None,
        description="Run once per in-scope resource of this kind, after scope is known "
        "('*': once, after scope is known)",
    )
    paginate: Paginate | None = None
    optional: bool = Field(default=False, description="A failure is noted, not a source error")
    then: FollowUp | None = Field(
        default=None, description="A read that takes values from this one's answer"
    )


class MappingFile(_Strict):
    provider: str = Field(description="Provider the file is for")
    env: list[str] = Field(
        default_factory=list,
        description="The provider is collected only "
        "when one of these environment variables is set, or one of `files` "
        "exists (both empty: always)",
    )
    files: list[str] = Field(
        default_factory=list,
        description="Files (~ expanded) that also mean the provider is configured",
    )
    rules: list[Rule] = Field(default_factory=list)
    calls: list[Call] = Field(default_factory=list)


def load_mapping_file(path: Path) -> MappingFile:
    data, node = read_yaml(path.read_text(encoding="utf-8"), str(path))
    return load_model(MappingFile, data, node, str(path))
