"""The AWS health mapping (``health.yaml``): which reads the health report makes and how
their answers map onto resources and signals -- data, not code."""

from __future__ import annotations

from pathlib import Path

from mcp_sre import hookimpl

__all__ = ["health_mappings"]


@hookimpl
def health_mappings() -> list[Path]:
    return [Path(__file__).with_name("health.yaml")]
