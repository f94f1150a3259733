"""azure.mgmt for the mcp-sre sandbox: the management clients of the shipped services."""
