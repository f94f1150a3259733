"""Built-in mcp-sre plugin: graphql."""
