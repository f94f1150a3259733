"""Built-in mcp-sre plugin: Prometheus (its HTTP API as a spec, an httpx executor, and the
health mapping for PromQL results). Everything it does is a GET: read-only."""

from mcp_sre_prometheus.executor import execute_operation
from mcp_sre_prometheus.sources import health_mappings, local_targets, register_doc_sources

__all__ = ["execute_operation", "health_mappings", "local_targets", "register_doc_sources"]
