"""What a sandbox run returns, and the typed errors behind each failure.

A run never raises for something the *program* did: it returns a :class:`RunResult` whose
``error`` says what went wrong (``type`` is one of :data:`ERROR_TYPES`). ``raise_for_error()``
turns that into the matching :class:`~mcp_sre.errors.SandboxError` subclass for callers that
prefer exceptions. Host-side problems (runtime files missing) raise :class:`SandboxSetupError`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from mcp_sre.errors import McpSreError, PolicyDeniedError, SandboxError

__all__ = [
    "ERROR_TYPES",
    "CallRecord",
    "ErrorInfo",
    "ErrorType",
    "MemoryLimitError",
    "OutputLimitError",
    "ProviderCallError",
    "RunResult",
    "RuntimeCrashError",
    "SandboxSetupError",
    "SandboxTimeoutError",
    "StaticCheckError",
]

ErrorType = Literal[
    "static_check",  # the AST scan refused the code before it ran
    "policy_denied",  # the program attempted a call the policy refuses (write, sensitive read)
    "validation_error",  # an unknown operation or bad parameters, not caught by the program
    "provider_error",  # the cloud answered with an error the program did not catch
    "timeout",  # wall-clock limit reached (CPU loop, sleep, slow call)
    "memory_limit",  # the guest's linear memory hit the cap
    "output_limit",  # stdout/stderr/result larger than allowed
    "runtime_error",  # any other uncaught exception or non-zero exit in the program
    "sandbox_error",  # the host side failed (bug, protocol violation); not the program's fault
    "cancelled",  # the caller cancelled the run (e.g. the MCP request was cancelled)
]
ERROR_TYPES: tuple[str, ...] = ErrorType.__args__  # type: ignore[attr-defined]

Decision = Literal["allowed", "denied", "invalid"]


class ErrorInfo(BaseModel):
    """Why a run failed, in one line a person (or an LLM) can act on."""

    type: ErrorType = Field(description="Failure class; stable, for programs to branch on")
    message: str = Field(description="What happened and, where possible, what to change")
    environment: bool = Field(
        default=False, description="The environment's fault (no credentials or cluster, a "
        "target down or slow, throttling), not the code's; not counted against a tool")


class CallRecord(BaseModel):
    """One bridged call as the host saw it (the same record goes to the audit log)."""

    operation: str = Field(description="Operation id as resolved by the host, or as requested")
    params: dict[str, Any] = Field(default_factory=dict, description="Parameters (redacted)")
    decision: Decision = Field(description="allowed (executed), denied (policy) or invalid")
    reason: str = Field(default="", description="Why it was denied or invalid; empty if allowed")
    duration_ms: float = Field(default=0.0, description="Host time spent on the call")
    result_bytes: int = Field(default=0, description="Size of the JSON response sent back")
    error: ErrorInfo | None = Field(default=None, description="Provider error of an allowed call")


class RunResult(BaseModel):
    """The outcome of :meth:`mcp_sre.sandbox.Sandbox.run`; the MCP tool returns it as is."""

    ok: bool = Field(description="True when the program finished without any error")
    stdout: str = Field(default="", description="What the program printed (capped)")
    stderr: str = Field(default="", description="Tracebacks and warnings (capped)")
    error: ErrorInfo | None = Field(default=None, description="Why the run failed, if it did")
    calls: list[CallRecord] = Field(default_factory=list, description="Every bridged call")
    duration_ms: float = Field(default=0.0, description="Wall time of the whole run")
    result: Any = Field(default=None, description="The JSON value passed to sre.result()")
    ref: str | None = Field(default=None, description="This run's reference for the feedback "
                            "tool (when learning is on)")

    def raise_for_error(self) -> RunResult:
        """Raise the typed error matching ``error.type``; return self when the run succeeded."""
        if self.error is None:
            return self
        cls = _ERROR_CLASSES.get(self.error.type, RuntimeCrashError)
        raise cls(self.error.message)


class SandboxSetupError(SandboxError):
    """The sandbox itself cannot start: runtime files missing, module cache unusable."""


class StaticCheckError(SandboxError):
    """The static scan refused the code; the message lists every finding with its line."""


class SandboxTimeoutError(SandboxError):
    """The program ran past its wall-clock limit."""


class MemoryLimitError(SandboxError):
    """The program hit the guest memory cap."""


class OutputLimitError(SandboxError):
    """The program printed (or returned) more than the cap."""


class RuntimeCrashError(SandboxError):
    """The program raised, exited non-zero, or the guest trapped."""


class ProviderCallError(McpSreError):
    """Raised by an ``execute_operation`` implementation when the cloud refuses a call.

    The bridge forwards ``code``/``status`` to the guest, where SDK shims rebuild the error
    the SDK would raise (``botocore.exceptions.ClientError`` for AWS). ``kind`` is
    ``provider_error``, or ``validation_error`` when the SDK rejected the parameters.
    """

    def __init__(self, message: str, *, code: str = "", status: int | None = None,
                 kind: str = "provider_error", hint: str | None = None) -> None:
        self.code = code
        self.status = status
        self.kind = kind
        super().__init__(message, hint=hint)


class _ValidationFailed(RuntimeCrashError):
    """An unknown operation or bad parameters that the program did not catch."""


class _ProviderFailed(RuntimeCrashError):
    """A cloud error that the program did not catch."""


_ERROR_CLASSES: dict[str, type[McpSreError]] = {
    "static_check": StaticCheckError,
    "policy_denied": PolicyDeniedError,
    "validation_error": _ValidationFailed,
    "provider_error": _ProviderFailed,
    "timeout": SandboxTimeoutError,
    "memory_limit": MemoryLimitError,
    "output_limit": OutputLimitError,
    "runtime_error": RuntimeCrashError,
    "sandbox_error": SandboxSetupError,
    "cancelled": SandboxTimeoutError,
}
