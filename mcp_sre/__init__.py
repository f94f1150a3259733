"""mcp-sre: an MCP server that turns live cloud API specs into safe, sandboxed SRE tools."""

from mcp_sre.hookspecs import hookimpl

__all__ = ["__version__", "hookimpl"]
__version__ = "0.1.0"
