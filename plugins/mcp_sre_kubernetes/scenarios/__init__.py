"""Scenario files for ``mcp-sre k8s-sim`` (test and demo data, not product code paths)."""
