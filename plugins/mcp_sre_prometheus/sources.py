"""Where the Prometheus spec and health mapping live (files next to this module)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from mcp_sre import hookimpl
from mcp_sre.specs.model import SpecSource

__all__ = ["health_mappings", "local_targets", "register_doc_sources"]

HERE = Path(__file__).resolve().parent


@hookimpl
def register_doc_sources(register: Callable[[SpecSource], None]) -> None:
    entries = yaml.safe_load((HERE / "doc_sources.yaml").read_text(encoding="utf-8")) or []
    for entry in entries:
        source = SpecSource.model_validate(entry)
        if "://" not in source.url:
            source = source.model_copy(update={"url": str(HERE / source.url)})
        register(source)


@hookimpl
def health_mappings() -> list[Path]:
    return [HERE / "health.yaml"]


@hookimpl
def local_targets() -> dict[str, tuple[str, Any]]:
    from mcp_sre_prometheus.local import target_for_case

    return {"metrics.om": ("prometheus", target_for_case)}
