"""The ids that tie one request's events together, carried in ``contextvars``.

A tool call sets a request id; an agent run (or a code generation run) sets a run id. Worker
threads started with ``anyio.to_thread`` copy the context, so a search, a sandbox run, its
bridge calls and an LLM call made for that request log the same ids.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mcp_sre.observability.core import Observability

__all__ = ["bind_ids", "current", "current_ids", "new_id", "use"]

_request_id: ContextVar[str | None] = ContextVar("mcp_sre_request_id", default=None)
_run_id: ContextVar[str | None] = ContextVar("mcp_sre_run_id", default=None)
_current: ContextVar[Observability | None] = ContextVar("mcp_sre_observability", default=None)


def new_id() -> str:
    return os.urandom(8).hex()


def current_ids() -> dict[str, str]:
    """``request_id`` and ``run_id`` when set (for log events and replies)."""
    out = {}
    request_id, run_id = _request_id.get(), _run_id.get()
    if request_id is not None:
        out["request_id"] = request_id
    if run_id is not None:
        out["run_id"] = run_id
    return out


@contextlib.contextmanager
def bind_ids(*, request_id: str | None = None, run_id: str | None = None) -> Iterator[None]:
    """Set the ids given (others keep their value) for the duration of the block."""
    tokens: list[Any] = []
    if request_id is not None:
        tokens.append((_request_id, _request_id.set(request_id)))
    if run_id is not None:
        tokens.append((_run_id, _run_id.set(run_id)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def current() -> Observability:
    """The observability of the server serving this request, else a disabled one (the seams
    -- sandbox, bridge, retrieval, LLM -- call this, so they need no extra parameter)."""
    found = _current.get()
    if found is None:
        from mcp_sre.observability.core import DISABLED

        return DISABLED
    return found


@contextlib.contextmanager
def use(obs: Observability) -> Iterator[Observability]:
    """Make ``obs`` the current observability in this context (CLI commands, tests)."""
    token = _current.set(obs)
    try:
        yield obs
    finally:
        _current.reset(token)


def _set_current(obs: Observability) -> Any:
    return _current.set(obs)


def _reset_current(token: Any) -> None:
    _current.reset(token)
