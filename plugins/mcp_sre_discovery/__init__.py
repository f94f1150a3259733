"""Built-in mcp-sre plugin: discovery."""
