"""Built-in mcp-sre plugin: Azure (Resource Manager specs in the ``arm`` format with shipped
snapshots and common-types, read-only rules and sensitive reads, the executor with
DefaultAzureCredential, the guest-side ``azure.mgmt.*``/``azure.identity`` shims, vocabulary)."""

from mcp_sre_azure.arm import parse_spec
from mcp_sre_azure.classify import classify_operation, sensitive_operations
from mcp_sre_azure.executor import execute_operation
from mcp_sre_azure.sdk_calls import sdk_call_operation
from mcp_sre_azure.shims import sandbox_shims
from mcp_sre_azure.sources import register_doc_sources, retrieval_vocabulary

__all__ = [
    "classify_operation",
    "execute_operation",
    "parse_spec",
    "register_doc_sources",
    "retrieval_vocabulary",
    "sandbox_shims",
    "sdk_call_operation",
    "sensitive_operations",
]
