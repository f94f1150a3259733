"""Built-in mcp-sre plugin: gcp doc sources (see doc_sources.yaml)."""

from mcp_sre_gcp.sources import register_doc_sources

__all__ = ["register_doc_sources"]
