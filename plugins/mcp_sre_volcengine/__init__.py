"""Built-in mcp-sre plugin: volcengine."""
