"""Built-in mcp-sre plugin: swagger (Swagger / OpenAPI 2.0 documents, JSON or YAML)."""

from mcp_sre_swagger.hooks import detect_spec_format, parse_spec

__all__ = ["detect_spec_format", "parse_spec"]
