"""Diagnosis knowledge as data: object kinds and relations, signal rules, root-cause rules.

Providers contribute YAML through the ``diagnosis_knowledge`` hook (a list of files or folders);
the core adds its provider-neutral log rules (``logs.yaml`` beside this module). Files are
validated here so a broken rule fails with the file and rule named, before any read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError

from mcp_sre.agents.diagnosis.models import DiagnosisError

__all__ = ["Kind", "Knowledge", "LogPattern", "Relation", "RootRule", "SignalRule",
           "load_knowledge"]

CORE_FILE = Path(__file__).with_name("logs.yaml")


class Kind(BaseModel):
    """How to list one kind of object."""

    list: str = Field(description="Operation id that lists objects of this kind")
    namespaced: bool = Field(default=True, description="Listed per namespace")
    list_all: str = Field(default="", description="Operation id listing it in every namespace")
    params: dict[str, Any] = Field(default_factory=dict, description="Extra list parameters")


class Relation(BaseModel):
    """An edge of the object graph.

    ``ref``: names in ``path`` of ``from`` objects point at ``to`` objects (``kind_field`` /
    ``name_field`` when the items are references; ``key_field`` + ``keys_in`` check a key).
    ``referenced_by``: ``to`` objects whose ``path`` points back at ``from``.
    ``selects``: the selector at ``path`` of ``from`` picks ``to`` objects by labels.
    ``selected_by``: ``to`` objects whose selector at ``path`` picks ``from``.
    """

    id: str = Field(description="Relation id (signal rules read it as rel.<id>)")
    type: Literal["ref", "referenced_by", "selects", "selected_by"]
    from_: list[str] = Field(alias="from", description="Kinds it starts from; ['*'] = any")
    to: list[str] = Field(description="Kinds it reaches")
    path: str = Field(description="Path of the names, references or selector")
    kind_field: str = Field(default="", description="In a reference item: the kind")
    name_field: str = Field(default="", description="In a reference item: the name")
    namespace_field: str = Field(default="", description="In a reference item: the namespace")
    key_field: str = Field(default="", description="In a reference item: a key to check")
    keys_in: list[str] = Field(default_factory=list, description="Paths holding the keys")
    labels: str = Field(default="metadata.labels", description="Path of the labels selected")
    direction: Literal["up", "down", "side", "terminal"] = Field(default="side")
    missing: bool = Field(default=False, description="Report a reference to nothing")


class SignalRule(BaseModel):
    """An anomaly, found on objects of one kind (optionally on each item of a list)."""

    id: str
    kind: str
    layer: Literal["symptom", "direct", "root"] = "direct"
    score: float = 50.0
    title: dict[str, str] = Field(default_factory=dict,
                                  description="What it looks for, per language (ruled out lists)")
    each: list[str] = Field(default_factory=list, description="Paths of items to check one by one")
    when: list[dict[str, Any]] = Field(default_factory=list, description="Conditions, all hold")
    lookup: dict[str, str] = Field(default_factory=dict,
                                   description="{kind, name, namespace} paths of an object the "
                                   "rule may read as 'target'")
    facts: dict[str, Any] = Field(default_factory=dict, description="name -> path or {path, regex}")
    evidence: list[dict[str, str]] = Field(default_factory=list,
                                           description="{path, label}: fields quoted as evidence")


class RootRule(BaseModel):
    """Maps a signal (and conditions on its facts) to report text in each language."""

    model_config = {"populate_by_name": True}

    id: str
    signal: str | list[str] = Field(description="Signal rule id(s) this explains")
    when: list[dict[str, Any]] = Field(default_factory=list, description="Conditions on facts")
    layer: Literal["symptom", "direct", "root"] = "root"
    priority: float = 50.0
    with_: dict[str, Any] | None = Field(
        default=None, alias="with",
        description="Another signal that must back this one: {signal, when, related}; its "
        "facts join as with_<name> (so one rule can say 'policy X AND timeouts to port Y')")
    text: dict[str, str] = Field(description="Language -> template")
    fix: dict[str, list[str]] = Field(default_factory=dict)
    prevention: dict[str, list[str]] = Field(default_factory=dict)


class LogPattern(BaseModel):
    """A log line that matters, and what it names (group ``entity``)."""

    id: str
    regex: str
    score: float = 50.0


class Knowledge(BaseModel):
    """Everything merged from the core and the plugins."""

    kinds: dict[str, Kind] = Field(default_factory=dict)
    aliases: dict[str, str] = Field(default_factory=dict, description="word -> kind")
    question_kinds: list[str] = Field(default_factory=list,
                                      description="Kinds whose names a question may mention")
    default_namespace: str = "default"
    namespace_kind: str = Field(default="", description="Kind whose names are namespaces")
    relations: list[Relation] = Field(default_factory=list)
    logs: dict[str, Any] = Field(default_factory=dict, description="How to read container logs")
    signals: list[SignalRule] = Field(default_factory=list)
    rules: list[RootRule] = Field(default_factory=list)
    log_patterns: list[LogPattern] = Field(default_factory=list)
    texts: dict[str, dict[str, str]] = Field(default_factory=dict,
                                             description="Fixed phrases per language")

    def signals_of(self, rule: RootRule) -> list[str]:
        return [rule.signal] if isinstance(rule.signal, str) else list(rule.signal)

    def kind(self, name: str) -> Kind | None:
        return self.kinds.get(name)


_LISTS = ("relations", "signals", "rules", "log_patterns", "question_kinds")
_MAPS = ("kinds", "aliases", "logs", "texts")


def _files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            out += sorted(path.glob("*.yaml"))
        elif path.is_file():
            out.append(path)
        else:
            raise DiagnosisError(f"diagnosis knowledge {path} does not exist")
    return out


def load_knowledge(pm: Any = None, extra: list[Path] | None = None) -> Knowledge:
    """Merge the core log rules, every plugin's files and ``extra`` files (later wins for maps;
    a rule whose id is already known updates that rule, field by field)."""
    paths: list[Path] = [CORE_FILE]
    if pm is not None:
        for group in pm.hook.diagnosis_knowledge() or []:
            paths += [Path(p) for p in group or []]
    paths += list(extra or [])
    merged: dict[str, Any] = {}
    for file in _files(paths):
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise DiagnosisError(f"cannot read diagnosis knowledge {file}: {exc}") from exc
        if not isinstance(data, dict):
            raise DiagnosisError(f"diagnosis knowledge {file} must be a YAML mapping")
        for key, value in data.items():
            if key == "rules":  # a rule whose id is known updates it (e.g. a plugin's fix text)
                rules = merged.setdefault("rules", [])
                for entry in value or []:
                    known = next((r for r in rules if isinstance(entry, dict)
                                  and r.get("id") == entry.get("id")), None)
                    if known is not None:
                        known.update(entry)
                    else:
                        rules.append(dict(entry) if isinstance(entry, dict) else entry)
            elif key in _LISTS:
                merged.setdefault(key, []).extend(value or [])
            elif key in _MAPS:
                merged.setdefault(key, {}).update(value or {})
            else:
                merged[key] = value
        try:
            Knowledge.model_validate(merged)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            raise DiagnosisError(f"diagnosis knowledge {file}: {where}: {err['msg']}") from exc
    return Knowledge.model_validate(merged)
