"""Built-in mcp-sre plugin: gcp doc sources (see doc_sources.yaml)."""

from pathlib import Path

from mcp_sre import hookimpl
from mcp_sre_gcp.sources import register_doc_sources

__all__ = ["register_doc_sources", "retrieval_vocabulary"]


@hookimpl
def retrieval_vocabulary() -> Path:
    """How requests and tools name this provider (merged into the search vocabulary)."""
    return Path(__file__).with_name("vocab.yaml")
