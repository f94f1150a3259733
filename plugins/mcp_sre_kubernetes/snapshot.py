"""Where the shipped Kubernetes swagger is: this plugin owns it (``specs/``), and a copy gathered
in the snapshot folder (``specs_cache/`` or ``MCP_SRE_SNAPSHOT_DIR``) takes precedence, as it
does for the catalog."""

from __future__ import annotations

from pathlib import Path

from mcp_sre.config import load_settings
from mcp_sre.specs.sources import SNAPSHOT_FOLDER

__all__ = ["SWAGGER_FILE", "default_swagger_path"]

SWAGGER_FILE = "kubernetes-swagger.json"
OWN = Path(__file__).resolve().parent / SNAPSHOT_FOLDER


def default_swagger_path() -> Path:
    """The snapshot of the upstream swagger the simulator serves and the shims are built from."""
    gathered = load_settings().snapshot_dir / SWAGGER_FILE
    return gathered if gathered.is_file() else OWN / SWAGGER_FILE
