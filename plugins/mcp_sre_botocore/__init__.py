"""Built-in mcp-sre plugin: the botocore service-model format and the ``botocore:`` scheme."""

from mcp_sre_botocore.hooks import detect_spec_format, fetch_spec_content, parse_spec

__all__ = ["detect_spec_format", "fetch_spec_content", "parse_spec"]
