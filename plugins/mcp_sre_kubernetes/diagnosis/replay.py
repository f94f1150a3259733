"""Serve a recorded cluster on a local simulated API server: a case's ``scenario.yaml``, a
scenario file, or a ``kubectl cluster-info dump --output-directory`` folder (``nodes.json`` at
its top; read by the simulator's scenario loader, which names a missing or malformed file)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["replay_folder", "scenario_in"]


def scenario_in(folder: Path) -> Path | None:
    """The scenario a folder holds (a case folder, a scenario file, or a dump folder)."""
    folder = Path(folder)
    if folder.is_file() and folder.suffix in (".yaml", ".yml"):
        return folder
    candidate = folder / "scenario.yaml"
    if candidate.is_file():
        return candidate
    return folder if (folder / "nodes.json").is_file() else None


@contextmanager
def replay_folder(folder: Path) -> Iterator[dict[str, dict[str, Any]]]:
    from mcp_sre_kubernetes.sim import SimServer

    scenario = scenario_in(folder)
    if scenario is None:
        from mcp_sre_kubernetes.sim.scenario import ScenarioError

        raise ScenarioError(f"{folder} holds no scenario.yaml and no cluster dump (nodes.json)")
    with SimServer(scenario) as sim, tempfile.TemporaryDirectory(prefix="mcp-sre-replay-") as tmp:
        kubeconfig = sim.write_kubeconfig(Path(tmp) / "kubeconfig")
        yield {"kubernetes": {"kubeconfig": str(kubeconfig)}}
