"""Built-in mcp-sre plugin: volcengine doc sources (see doc_sources.yaml)."""

from mcp_sre.specs.sources import doc_sources_hook

__all__ = ["register_doc_sources"]

register_doc_sources = doc_sources_hook(__name__)
