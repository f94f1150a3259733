"""Register the spec sources listed in this package's ``doc_sources.yaml``, and the vocabulary."""

from __future__ import annotations

from pathlib import Path

from mcp_sre import hookimpl
from mcp_sre.specs.sources import doc_sources_hook

__all__ = ["register_doc_sources", "retrieval_vocabulary"]

register_doc_sources = doc_sources_hook(__package__ or "mcp_sre_volcengine")


@hookimpl
def retrieval_vocabulary() -> Path:
    """How requests name Volcano Engine's services (merged into the search vocabulary)."""
    return Path(__file__).with_name("vocab.yaml")
