"""Built-in mcp-sre plugin: azure doc sources (see doc_sources.yaml)."""

from mcp_sre_azure.sources import register_doc_sources

__all__ = ["register_doc_sources"]
