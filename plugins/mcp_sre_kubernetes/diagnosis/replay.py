"""Serve a recorded cluster (a case's ``scenario.yaml``) on a local simulated API server."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["replay_folder", "scenario_in"]


def scenario_in(folder: Path) -> Path | None:
    """The scenario a folder holds (a case folder, or the scenario file itself)."""
    folder = Path(folder)
    if folder.is_file() and folder.suffix in (".yaml", ".yml"):
        return folder
    candidate = folder / "scenario.yaml"
    return candidate if candidate.is_file() else None


@contextmanager
def replay_folder(folder: Path) -> Iterator[dict[str, dict[str, Any]]]:
    from mcp_sre_kubernetes.sim import SimServer

    scenario = scenario_in(folder)
    if scenario is None:
        raise FileNotFoundError(f"no scenario.yaml in {folder}")
    with SimServer(scenario) as sim, tempfile.TemporaryDirectory(prefix="mcp-sre-replay-") as tmp:
        kubeconfig = sim.write_kubeconfig(Path(tmp) / "kubeconfig")
        yield {"kubernetes": {"kubeconfig": str(kubeconfig)}}
