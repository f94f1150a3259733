"""Built-in mcp-sre plugin: html (API reference pages scraped with the stdlib html.parser)."""

from mcp_sre_html.plugin import detect_spec_format, parse_spec

__all__ = ["detect_spec_format", "parse_spec"]
