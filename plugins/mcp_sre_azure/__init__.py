"""Built-in mcp-sre plugin: azure."""
