"""googleapiclient for the mcp-sre sandbox: ``discovery.build(...)`` clients whose methods are
read-only calls checked and executed by the host."""

__version__ = "0.0.0+mcp-sre-sandbox"
