"""Built-in mcp-sre plugin: html."""
