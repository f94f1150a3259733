"""Built-in mcp-sre plugin: gcp."""
