"""Built-in mcp-sre plugin: Volcano Engine (火山引擎) doc sources (the installed volcenginesdk-*
packages, see doc_sources.yaml), read/write classification and sensitive reads, the executor
signing with the SDK, the guest-side volcenginesdk shims, and the search vocabulary."""

from mcp_sre_volcengine.classify import classify_operation, sensitive_operations
from mcp_sre_volcengine.executor import execute_operation
from mcp_sre_volcengine.sdk_calls import sdk_call_operation
from mcp_sre_volcengine.shims import sandbox_shims
from mcp_sre_volcengine.sources import register_doc_sources, retrieval_vocabulary

__all__ = [
    "classify_operation",
    "execute_operation",
    "register_doc_sources",
    "retrieval_vocabulary",
    "sandbox_shims",
    "sdk_call_operation",
    "sensitive_operations",
]
