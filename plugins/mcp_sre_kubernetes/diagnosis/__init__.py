"""Kubernetes knowledge for the DiagnosticAgent, as YAML beside this module: how to walk the
object graph (relations.yaml), what is abnormal (signals.yaml), and what it means (rules.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mcp_sre import hookimpl
from mcp_sre_kubernetes.diagnosis.replay import replay_folder, scenario_in

__all__ = ["KNOWLEDGE_DIR", "diagnosis_knowledge", "replay_cluster"]

KNOWLEDGE_DIR = Path(__file__).resolve().parent


@hookimpl
def diagnosis_knowledge() -> list[Path]:
    return [KNOWLEDGE_DIR]


@hookimpl
def replay_cluster(folder: Path) -> Any:
    """A case folder with a simulator scenario (``scenario.yaml``)."""
    return replay_folder(folder) if scenario_in(folder) is not None else None
