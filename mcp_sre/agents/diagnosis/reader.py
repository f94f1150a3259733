"""Every read of a diagnosis goes through the sandbox's host bridge: the same resolver, policy,
parameter checks, executor hook and audit log as generated code, so a diagnosis can never write.

A refusal (HTTP 403, or the policy) is not a failure: it is recorded as something the report
could not see. Lists are cached for the length of one diagnosis.
"""

from __future__ import annotations

import marshal
import threading
import time
import uuid
from typing import Any

from mcp_sre.agents.diagnosis.models import Step
from mcp_sre.sandbox.bridge import CallHandler

__all__ = ["BridgeReader", "ReadResult"]


class ReadResult:
    """What one read returned: data, or why not."""

    __slots__ = ("data", "message", "operation", "outcome", "time")

    def __init__(self, operation: str, outcome: str, data: Any = None, message: str = "",
                 when: str = "") -> None:
        self.operation, self.outcome, self.data = operation, outcome, data
        self.message, self.time = message, when

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


class BridgeReader:
    """Reads through a :class:`CallHandler` built like the sandbox builds one per run."""

    def __init__(self, sandbox: Any, *, timeout_s: float = 60.0,
                 context: dict[str, dict[str, Any]] | None = None) -> None:
        self.handler = CallHandler(
            resolve=lambda op: sandbox.resolver()(op), policy=sandbox.policy,
            execute=lambda spec, params, ctx: sandbox.pm.hook.execute_operation(
                spec=spec, params=params, context=ctx),
            audit=sandbox.audit, run_id="diagnose-" + uuid.uuid4().hex[:8],
            deadline=time.monotonic() + timeout_s,
            context={**sandbox.context, **(context or {})},
            mask=getattr(sandbox, "masker", None))
        self.steps: list[Step] = []
        self.could_not_see: list[str] = []
        self._cache: dict[str, ReadResult] = {}
        self._lock = threading.Lock()
        self._ids = 0

    def read(self, operation: str, params: dict[str, Any], why: str = "") -> ReadResult:
        key = operation + repr(sorted(params.items()))
        with self._lock:
            cached = self._cache.get(key)
            self._ids += 1
            msg_id = self._ids
        if cached is not None:
            return cached
        started = time.monotonic()
        reply = self.handler.call({"id": msg_id, "op": operation, "params": dict(params)})
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        if isinstance(reply, bytes):
            result = ReadResult(operation, "ok", marshal.loads(reply).get("data"), when=when)
        else:
            error = reply.get("error") or {}
            status, kind = error.get("status"), error.get("kind", "")
            outcome = ("forbidden" if status == 403 or kind == "policy_denied" else
                       "not_found" if status == 404 or kind == "not_found" else "error")
            result = ReadResult(operation, outcome, message=str(error.get("message", ""))[:300],
                                when=when)
            if outcome == "forbidden":
                shown = ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
                with self._lock:
                    self.could_not_see.append(f"{operation} ({shown}): {result.message}")
        ms = round((time.monotonic() - started) * 1000, 1)
        shown = ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
        with self._lock:
            self.steps.append(Step(action="read", detail=f"{operation}({shown})", why=why, ms=ms,
                                   outcome=result.outcome))
            self._cache[key] = result
        return result
