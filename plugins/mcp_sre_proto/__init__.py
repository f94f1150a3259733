"""Built-in mcp-sre plugin: proto."""
