"""The AWS health mapping (``health.yaml``): which reads the health report makes and how
their answers map onto resources and signals -- data, not code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mcp_sre import hookimpl

__all__ = ["health_mappings", "local_targets"]


@hookimpl
def health_mappings() -> list[Path]:
    return [Path(__file__).with_name("health.yaml")]


@hookimpl
def local_targets() -> dict[str, tuple[str, Any]]:
    from mcp_sre_aws.local import target_for_case

    return {"aws.yaml": ("aws", target_for_case)}
