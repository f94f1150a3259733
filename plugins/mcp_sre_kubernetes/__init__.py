"""Built-in mcp-sre plugin: kubernetes."""
