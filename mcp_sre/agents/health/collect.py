"""Collection: the providers' planned reads, through the read-only bridge, in parallel.

Every read goes through :class:`~mcp_sre.sandbox.bridge.CallHandler` -- the same operation
lookup, policy check (reads only, sensitive reads refused, call budget, rate limit), parameter
validation, plugin executor and audit log as code running in the sandbox -- just without a
guest. Providers run side by side (anyio worker threads) under one time budget; a provider that
fails or times out yields a :class:`SourceResult` with the reason, never an exception.
"""

from __future__ import annotations

import fnmatch
import marshal
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio

from mcp_sre.agents.health.adapter import DataAdapter, Observation
from mcp_sre.agents.health.paths import field_values, first
from mcp_sre.agents.health.rules import Call, MappingFile
from mcp_sre.sandbox.audit import AuditLog
from mcp_sre.sandbox.bridge import CallHandler, OperationResolver
from mcp_sre.sandbox.masking import ResponseMasker
from mcp_sre.sandbox.policy import Policy, PolicyConfig

if TYPE_CHECKING:
    import pluggy

    from mcp_sre.specs.model import APISpec

__all__ = ["CallFailed", "HostBridge", "SourceResult", "Window", "collect_all"]


class CallFailed(Exception):
    """A bridged read was refused or failed; ``kind`` is the bridge's error kind."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


class HostBridge:
    """Host-side reads through the bridge's policy, validation, executor and audit."""

    def __init__(
        self,
        pm: pluggy.PluginManager,
        lookup: Callable[[str], APISpec],
        *,
        audit_path: Path | None,
        deadline: float,
        context: dict[str, dict[str, Any]] | None = None,
        policy: PolicyConfig | None = None,
    ) -> None:
        sensitive = [p for group in pm.hook.sensitive_operations() or [] for p in group or []]
        names = getattr(lookup, "names", None)
        self.handler = CallHandler(
            resolve=OperationResolver(lookup, names),
            policy=Policy(policy or PolicyConfig(max_calls_per_run=5000), sensitive),
            execute=lambda spec, params, ctx: pm.hook.execute_operation(
                spec=spec, params=params, context=ctx
            ),
            audit=AuditLog(audit_path) if audit_path else None,
            run_id="health-" + uuid.uuid4().hex[:8],
            deadline=deadline,
            context=context,
            mask=ResponseMasker(pm),
        )
        self._ids = iter(range(1, 1 << 62))

    def call(self, operation: str, params: dict[str, Any]) -> Any:
        reply = self.handler.call({"id": next(self._ids), "op": operation, "params": params})
        if isinstance(reply, bytes):
            return marshal.loads(reply)["data"]
        error = reply.get("error", {})
        raise CallFailed(
            str(error.get("kind", "provider_error")), str(error.get("message", "failed"))
        )


@dataclass(frozen=True)
class Window:
    """The look-back window, and the template values calls may use."""

    end: datetime
    minutes: int

    @property
    def start(self) -> datetime:
        return self.end - timedelta(minutes=self.minutes)

    def values(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "start_epoch": int(self.start.timestamp()),
            "end_epoch": int(self.end.timestamp()),
            "start_ms": int(self.start.timestamp() * 1000),
            "end_ms": int(self.end.timestamp() * 1000),
            "window_s": self.minutes * 60,
            "window_m": self.minutes,
            "step_s": max(15, self.minutes * 60 // 60),
        }

    @classmethod
    def now(cls, minutes: int) -> Window:
        # rounded up: a point written a moment ago must not fall just past the end
        return cls(datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1), minutes)


@dataclass
class SourceResult:
    """What one provider gave in one phase."""

    provider: str
    observations: list[Observation] = field(default_factory=list)
    calls: int = 0
    failed: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    item_errors: dict[str, str] = field(default_factory=dict)  # resource id -> reason
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def ok(self) -> bool:
        return not (self.calls and self.failed == self.calls)


def _fill(value: Any, values: dict[str, Any]) -> Any:
    """Template substitution: a string that is exactly ``{name}`` keeps the value's type."""
    if isinstance(value, str):
        for key, sub in values.items():
            token = "{" + key + "}"
            if value == token:
                return sub
            if token in value:
                value = value.replace(token, str(sub))
        return value
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    return value


def _run_call(
    bridge: HostBridge,
    adapter: DataAdapter,
    call: Call,
    values: dict[str, Any],
    result: SourceResult,
    item: str = "",
) -> None:
    params = _fill(call.params, values)
    ctx = _fill(call.ctx, values)
    pages = call.paginate.max_pages if call.paginate else 1
    for _ in range(pages):
        try:
            data = bridge.call(call.operation, params)
        except CallFailed as exc:
            message = f"{call.operation}: {exc.kind}: {exc}"
            with result.lock:
                result.calls += 1
                result.failed += 1
                if item:
                    result.item_errors[item] = message
                elif message not in result.errors:
                    result.errors.append(message)
            return
        # a read made only to drive follow-ups (ListMetrics) is not an unmapped shape
        driving = call.then is not None and not adapter.rules_for(call.operation, data)
        observed = [] if driving else adapter.adapt(call.operation, data, params=params, ctx=ctx)
        with result.lock:
            result.calls += 1
            result.observations += observed
        if call.then is not None:
            _follow(bridge, adapter, call, data, values, result, item)
        token = first(call.paginate.token, data) if call.paginate else None
        if not token:
            return
        params = {**params, call.paginate.param: token}  # type: ignore[union-attr]


def _follow(
    bridge: HostBridge,
    adapter: DataAdapter,
    call: Call,
    data: Any,
    values: dict[str, Any],
    result: SourceResult,
    item: str,
) -> None:
    follow = call.then
    assert follow is not None
    if follow.each:
        _follow_each(bridge, adapter, call, data, values, result, item)
        return
    found = list(dict.fromkeys(str(v) for v in field_values(follow.path, data)))
    for n in range(0, min(len(found), follow.batch * follow.max_calls), follow.batch):
        step = Call(
            operation=follow.operation,
            params={**follow.params, follow.param: found[n : n + follow.batch]},
            ctx=call.ctx,
            optional=call.optional,
        )
        _run_call(bridge, adapter, step, values, result, item)


_REC = re.compile(r"\{rec:([^{}]+)\}")


def _fill_record(value: Any, record: Any) -> Any:
    """``{rec:PATH}`` -> the record's value there (exactly ``{rec:PATH}`` keeps its type)."""
    if isinstance(value, str):
        whole = _REC.fullmatch(value)
        if whole:
            return first(whole.group(1), record)
        return _REC.sub(lambda m: str(first(m.group(1), record) or ""), value)
    if isinstance(value, dict):
        return {k: _fill_record(v, record) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill_record(v, record) for v in value]
    return value


def _matches(record: Any, where: dict[str, Any]) -> bool:
    for path, want in where.items():
        wanted = [str(w) for w in (want if isinstance(want, list) else [want])]
        if not any(
            fnmatch.fnmatchcase(str(v), w) for v in field_values(path, record) for w in wanted
        ):
            return False
    return True


def _follow_each(
    bridge: HostBridge,
    adapter: DataAdapter,
    call: Call,
    data: Any,
    values: dict[str, Any],
    result: SourceResult,
    item: str,
) -> None:
    """One follow-up per record of the first answer, for records about in-scope resources."""
    follow = call.then
    assert follow is not None
    scope = values.get("scope_ids") or set()
    made = 0
    for record in field_values(follow.each, data):
        if made >= follow.max_calls:
            break
        if follow.in_scope and not {str(v) for v in field_values(follow.in_scope, record)} & scope:
            continue
        if not _matches(record, follow.where):
            continue
        made += 1
        step = Call(
            operation=follow.operation,
            params=_fill_record(follow.params, record),
            ctx=call.ctx,
            optional=call.optional,
        )
        _run_call(bridge, adapter, step, values, result, item)


def _provider_phase(
    bridge: HostBridge,
    adapter: DataAdapter,
    mapping: MappingFile,
    values: dict[str, Any],
    items: dict[str, list[tuple[str, str]]],
    phase: int,
    workers: int,
) -> SourceResult:
    """Phase 1: calls without ``for_each``; phase 2: one call per in-scope resource."""
    started = time.monotonic()
    result = SourceResult(mapping.provider)
    jobs: list[tuple[Call, dict[str, Any], str]] = []
    for call in mapping.calls:
        if (phase == 1 and call.for_each is None) or (phase == 2 and call.for_each == "*"):
            jobs.append((call, values, ""))
        elif phase == 2 and call.for_each is not None:
            for ident, name in items.get(call.for_each, []):
                jobs.append((call, {**values, "id": ident, "name": name}, ident))
    if workers > 1 and len(jobs) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda j: _run_call(bridge, adapter, j[0], j[1], result, j[2]), jobs))
    else:
        for job in jobs:
            _run_call(bridge, adapter, job[0], job[1], result, job[2])
    result.seconds = time.monotonic() - started
    return result


async def collect_all(
    bridge: HostBridge,
    adapter: DataAdapter,
    mappings: Iterable[MappingFile],
    values: dict[str, Any],
    *,
    phase: int,
    items: dict[str, dict[str, list[tuple[str, str]]]] | None = None,
    parallel: bool = True,
    workers: int = 4,
) -> list[SourceResult]:
    """One phase for every provider: side by side when ``parallel``, else one after another."""
    mappings = list(mappings)
    results: list[SourceResult | None] = [None] * len(mappings)
    per_call = workers if parallel else 1

    async def one(i: int, mapping: MappingFile) -> None:
        results[i] = await anyio.to_thread.run_sync(
            _provider_phase,
            bridge,
            adapter,
            mapping,
            values,
            (items or {}).get(mapping.provider, {}),
            phase,
            per_call,
        )

    if parallel:
        async with anyio.create_task_group() as tg:
            for i, mapping in enumerate(mappings):
                tg.start_soon(one, i, mapping)
    else:
        for i, mapping in enumerate(mappings):
            await one(i, mapping)
    return [r for r in results if r is not None]
