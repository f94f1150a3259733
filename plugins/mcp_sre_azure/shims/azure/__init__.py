"""The ``azure`` namespace in the mcp-sre sandbox (azure.identity, azure.core, azure.mgmt.*)."""
