"""Typed errors. Each carries a message a person can act on; the server turns them into MCP
tool errors (``isError``) and the CLI into a one-line reason and a non-zero exit."""

from __future__ import annotations

__all__ = [
    "McpSreError",
    "MissingProgramError",
    "NotFoundError",
    "PolicyDeniedError",
    "SandboxError",
    "SpecError",
    "SpecFetchError",
    "SpecParseError",
    "UnknownFormatError",
    "ValidationError",
]


class McpSreError(Exception):
    """Base of every error mcp-sre raises on purpose."""

    kind = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message if not hint else f"{message} ({hint})")

    def to_dict(self) -> dict[str, str]:
        return {"type": type(self).__name__, "message": str(self)}


class SpecError(McpSreError):
    """A spec source could not be used."""

    def __init__(self, source: str, problem: str, *, hint: str | None = None) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"spec source {source!r}: {problem}", hint=hint)


class SpecFetchError(SpecError):
    """The source could not be fetched (network, HTTP status, missing file, too large)."""


class SpecParseError(SpecError):
    """The content was fetched but is not a usable spec (malformed, no operations, bad $ref)."""


class UnknownFormatError(SpecParseError):
    """No format plugin recognised the content."""


class NotFoundError(McpSreError):
    """An id, name or source that does not exist."""


class ValidationError(McpSreError):
    """Input that does not match what an operation or tool expects."""


class PolicyDeniedError(McpSreError):
    """The host policy refused a call (write operation, sensitive read, rate limit)."""


class SandboxError(McpSreError):
    """Sandboxed code failed: static-check rejection, timeout, memory cap, output cap, crash."""


class MissingProgramError(McpSreError):
    """A program the run needs (a local Prometheus, kubectl) is not installed: a fault of the
    machine, not of the tool, so evaluations skip what needs it instead of scoring it."""
