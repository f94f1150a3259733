"""Built-in mcp-sre plugin: gcp doc sources (see doc_sources.yaml) and vocabulary (vocab.yaml)."""

from pathlib import Path

from mcp_sre import hookimpl
from mcp_sre.specs.sources import doc_sources_hook

__all__ = ["register_doc_sources", "retrieval_vocabulary"]

register_doc_sources = doc_sources_hook(__name__)


@hookimpl
def retrieval_vocabulary() -> Path:
    """How requests and tools name this provider (merged into the search vocabulary)."""
    return Path(__file__).with_name("vocab.yaml")
