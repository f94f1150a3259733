"""Built-in mcp-sre plugin: openapi."""
