"""Built-in mcp-sre plugin: AWS doc sources, read/write classification, the boto3 executor
and the guest-side boto3 shims."""

from mcp_sre_aws.classify import classify_operation, sensitive_operations
from mcp_sre_aws.executor import (
    execute_operation,
    executor_response_masks,
    executor_secret_operation,
    executor_sensitive_operations,
)
from mcp_sre_aws.health import health_mappings, local_targets
from mcp_sre_aws.sdk_calls import sdk_call_operation
from mcp_sre_aws.shims import sandbox_shims
from mcp_sre_aws.sources import register_doc_sources, retrieval_vocabulary

__all__ = [
    "classify_operation",
    "execute_operation",
    "executor_response_masks",
    "executor_secret_operation",
    "executor_sensitive_operations",
    "health_mappings",
    "local_targets",
    "register_doc_sources",
    "retrieval_vocabulary",
    "sandbox_shims",
    "sdk_call_operation",
    "sensitive_operations",
]
