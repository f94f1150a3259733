"""Built-in mcp-sre plugin: the Google API discovery document format."""

from mcp_sre_discovery.hooks import detect_spec_format, parse_spec

__all__ = ["detect_spec_format", "parse_spec"]
