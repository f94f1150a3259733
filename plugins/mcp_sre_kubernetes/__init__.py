"""Built-in mcp-sre plugin: kubernetes (spec sources, access rules, executor, guest shims)."""

from mcp_sre_kubernetes.classify import classify_operation, sensitive_operations
from mcp_sre_kubernetes.diagnosis import diagnosis_knowledge, replay_cluster
from mcp_sre_kubernetes.executor import execute_operation
from mcp_sre_kubernetes.health import health_mappings, local_targets
from mcp_sre_kubernetes.masks import response_masks
from mcp_sre_kubernetes.sdk_calls import sdk_call_operation
from mcp_sre_kubernetes.shims import sandbox_shims
from mcp_sre_kubernetes.sources import (
    fetch_spec_content,
    register_doc_sources,
    retrieval_vocabulary,
)

__all__ = [
    "classify_operation",
    "diagnosis_knowledge",
    "execute_operation",
    "fetch_spec_content",
    "health_mappings",
    "local_targets",
    "register_doc_sources",
    "replay_cluster",
    "response_masks",
    "retrieval_vocabulary",
    "sandbox_shims",
    "sdk_call_operation",
    "sensitive_operations",
]
