"""The ``google`` namespace in the mcp-sre sandbox (only ``google.auth`` is provided)."""
