"""Built-in mcp-sre plugin: openapi (OpenAPI 3.0/3.1 documents, JSON or YAML)."""

from mcp_sre_openapi.hooks import detect_spec_format, parse_spec

__all__ = ["detect_spec_format", "parse_spec"]
