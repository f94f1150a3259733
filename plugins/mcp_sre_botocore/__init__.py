"""Built-in mcp-sre plugin: botocore."""
