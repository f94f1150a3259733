"""Register the spec sources listed in this package's ``doc_sources.yaml``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mcp_sre import hookimpl
from mcp_sre.specs.model import SpecSource
from mcp_sre.specs.sources import sources_from_package

__all__ = ["load_doc_sources", "register_doc_sources", "retrieval_vocabulary"]


def load_doc_sources(package: str = __package__ or "mcp_sre_aws") -> list[SpecSource]:
    return sources_from_package(package)


@hookimpl
def register_doc_sources(register: Callable[[SpecSource], None]) -> None:
    for source in load_doc_sources():
        register(source)


@hookimpl
def retrieval_vocabulary() -> Path:
    """How requests name this provider's services (merged into the search vocabulary)."""
    return Path(__file__).with_name("vocab.yaml")
