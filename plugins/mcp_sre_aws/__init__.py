"""Built-in mcp-sre plugin: aws."""
