"""azure.core for the mcp-sre sandbox (only its exceptions are provided)."""
