"""Built-in mcp-sre plugin: volcengine doc sources (see doc_sources.yaml)."""

from mcp_sre_volcengine.sources import register_doc_sources

__all__ = ["register_doc_sources"]
