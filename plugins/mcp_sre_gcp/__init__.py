"""Built-in mcp-sre plugin: Google Cloud (discovery-document sources, read-only rules and
sensitive reads, the executor with Application Default Credentials, the guest-side
``googleapiclient`` shim, search vocabulary)."""

from mcp_sre_gcp.classify import classify_operation, sensitive_operations
from mcp_sre_gcp.executor import execute_operation
from mcp_sre_gcp.sdk_calls import sdk_call_operation
from mcp_sre_gcp.shims import sandbox_shims
from mcp_sre_gcp.sources import register_doc_sources, retrieval_vocabulary

__all__ = [
    "classify_operation",
    "execute_operation",
    "register_doc_sources",
    "retrieval_vocabulary",
    "sandbox_shims",
    "sdk_call_operation",
    "sensitive_operations",
]
