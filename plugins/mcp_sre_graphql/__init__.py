"""Built-in mcp-sre plugin: graphql (SDL or introspection JSON, via graphql-core)."""

from mcp_sre_graphql.plugin import detect_spec_format, parse_spec

__all__ = ["detect_spec_format", "parse_spec"]
