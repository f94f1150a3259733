"""Run generated Python in a wasmtime sandbox with a read-only, audited bridge to the clouds.

Public API (keep it small)::

    from mcp_sre.sandbox import Sandbox
    result = Sandbox().run(code, providers=["aws"], timeout_s=30)
    result.ok, result.stdout, result.error, result.calls, result.result

Inside the sandbox, programs use ``sre.call(operation_id, **params)`` or the SDK-shaped shims
that cloud plugins contribute (``boto3.client("ec2").describe_instances()``).
See ``docs/security.md`` for what each layer does and does not stop.
"""

from __future__ import annotations

from mcp_sre.sandbox.channel import Limits
from mcp_sre.sandbox.checks import ScanFinding, check_code, ensure_safe
from mcp_sre.sandbox.models import (
    CallRecord,
    ErrorInfo,
    MemoryLimitError,
    OutputLimitError,
    ProviderCallError,
    RunResult,
    RuntimeCrashError,
    SandboxSetupError,
    SandboxTimeoutError,
    StaticCheckError,
)
from mcp_sre.sandbox.policy import PolicyConfig
from mcp_sre.sandbox.runner import CatalogOperations, Sandbox

__all__ = [
    "CallRecord",
    "CatalogOperations",
    "ErrorInfo",
    "Limits",
    "MemoryLimitError",
    "OutputLimitError",
    "PolicyConfig",
    "ProviderCallError",
    "RunResult",
    "RuntimeCrashError",
    "Sandbox",
    "SandboxSetupError",
    "SandboxTimeoutError",
    "ScanFinding",
    "StaticCheckError",
    "check_code",
    "ensure_safe",
]
