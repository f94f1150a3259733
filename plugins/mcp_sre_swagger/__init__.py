"""Built-in mcp-sre plugin: swagger."""
