"""Host side of the bridge: every ``sre.call`` from the guest goes through :class:`CallHandler`.

resolve the operation in the spec catalog -> ask the policy -> validate the parameters
against the spec -> execute through the ``execute_operation`` hook (with the host's credentials,
in a worker thread bounded by the run's deadline) -> mask secret material (:mod:`.masking`,
whatever the write setting) -> JSON-encode and size-check the answer ->
record the call (run result + audit log).

Every refusal comes back to the guest as a typed error (``not_found``, ``validation_error``,
``policy_denied``, ``provider_error``, ``timeout``) that the guest raises as an exception; the
messages name the valid choices so that a code generator can fix its code.
"""

from __future__ import annotations

import base64
import contextvars
import datetime as dt
import itertools
import json
import logging
import marshal
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from decimal import Decimal
from typing import Any

from mcp_sre import observability
from mcp_sre.errors import McpSreError, NotFoundError, ValidationError
from mcp_sre.sandbox.audit import AuditLog, redact
from mcp_sre.sandbox.faults import environment_fault
from mcp_sre.sandbox.masking import ResponseMask, ResponseMasker
from mcp_sre.sandbox.models import CallRecord, ErrorInfo, ProviderCallError
from mcp_sre.sandbox.policy import Policy
from mcp_sre.specs.model import APISpec

__all__ = [
    "CallHandler",
    "OperationLookup",
    "OperationResolver",
    "jsonable",
    "scrub_addresses",
    "validate_params",
]

OperationLookup = Callable[[str], APISpec]
OperationNames = Callable[[str, str], Iterable[str]]
Executor = Callable[[APISpec, dict[str, Any], dict[str, Any]], Any]

log = logging.getLogger("mcp_sre.sandbox")
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="mcp-sre-bridge")
# What one run may make the host record: a guest looping over invalid calls with
# million-character names must not fill the audit log or the run result.
MAX_OP_CHARS = 300
MAX_REASON_CHARS = 1000
MAX_PARAMS_BYTES = 8 << 10
MAX_RECORDED_BYTES = 1 << 20
FLOOD_FACTOR = 2  # requests past FLOOD_FACTOR x the call budget abort the run
_REGION = re.compile(r"\A[a-z0-9][a-z0-9-]{0,40}\Z")
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def jsonable(value: Any, depth: int = 0) -> Any:
    """Plain JSON data from what SDKs return: datetimes as ISO strings, bytes as base64,
    Decimals as numbers, tuples and sets as lists, anything else as its ``str``."""
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if depth > 64:
        raise ValueError("data nested more than 64 levels deep")
    if isinstance(value, dict):
        return {str(k): jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v, depth + 1) for v in value]
    for base in (bool, int, float, str):  # subclasses such as enums
        if isinstance(value, base):
            return base(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)


_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>)\]]+")
_IPV6 = re.compile(r"\[[0-9a-fA-F:.]{2,45}\](?::\d{1,5})?")
_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b")
_HOST_KEYWORD = re.compile(r"\bhost=(['\"])[^'\"]*\1")  # urllib3's HTTPConnectionPool(host=...)
_HOST_PORT = re.compile(r"\b(?:localhost|[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+):\d{1,5}\b")


def scrub_addresses(text: str) -> str:
    """``cannot reach https://10.0.0.5:6443`` -> ``cannot reach <endpoint>``: the guest needs
    to know a target is unreachable, not where the host's clusters and endpoints live."""
    if not any(c in text for c in ":/."):
        return text
    text = _URL.sub("<endpoint>", text)
    text = _IPV6.sub("<address>", text)
    text = _IPV4.sub("<address>", text)
    text = _HOST_KEYWORD.sub("host=<address>", text)
    return _HOST_PORT.sub("<address>", text)


def _norm(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


def _camel_candidates(snake: str) -> Iterator[str]:
    """``describe_db_instances`` -> DescribeDbInstances, DescribeDBInstances, ...: short words
    may be acronyms. Without a name listing this finds ~99.7% of botocore operations."""
    words = [w for w in snake.split("_") if w]
    short = [i for i, w in enumerate(words) if len(w) <= 5][:4]
    for k in range(len(short) + 1):
        for upper in itertools.combinations(short, k):
            yield "".join(w.upper() if i in upper else w[:1].upper() + w[1:]
                          for i, w in enumerate(words))


class OperationResolver:
    """Exact ids first; then ``describe_db_instances``-style names matched case-insensitively
    against the service's operation names (so SDK-shaped shims need no name tables)."""

    def __init__(self, lookup: OperationLookup, names: OperationNames | None = None) -> None:
        self.lookup = lookup
        self.names = names
        self._cache: dict[str, APISpec] = {}

    def __call__(self, op_id: str) -> APISpec:
        if op_id in self._cache:
            return self._cache[op_id]
        parts = op_id.split("/")
        if len(parts) != 3 or not all(parts):
            raise ValidationError(f"invalid operation id {op_id!r}",
                                  hint="ids look like provider/service/Operation, "
                                       "e.g. aws/ec2/DescribeInstances")
        spec = self._by_name(parts) if "_" in parts[2] else None
        if spec is None:
            try:
                spec = self.lookup(op_id)
            except NotFoundError as exc:
                spec = self._fuzzy(parts, exc)
        self._cache[op_id] = spec
        return spec

    def _by_name(self, parts: list[str]) -> APISpec | None:
        """SDK method names are matched against the service's operation names first: a miss
        in a catalog can be costly (it may load every service of the provider)."""
        provider, service, name = parts
        if self.names is None:
            return None
        try:
            candidates = list(self.names(provider, service))
        except McpSreError:
            return None
        key = _norm(name)
        for candidate in candidates:
            if _norm(candidate) == key:
                return self.lookup(f"{provider}/{service}/{candidate}")
        return None

    def _fuzzy(self, parts: list[str], exc: NotFoundError) -> APISpec:
        provider, service, name = parts
        if self.names is not None:
            spec = self._by_name(parts)
            if spec is not None:
                return spec
        elif "_" in name:
            for camel in _camel_candidates(name):
                try:
                    return self.lookup(f"{provider}/{service}/{camel}")
                except NotFoundError:
                    continue
        raise exc


def validate_params(spec: APISpec, params: dict[str, Any]) -> None:
    """Unknown names, missing required ones and plain JSON type mismatches."""
    known = {p.name: p for p in spec.parameters}
    unknown = sorted(set(params) - set(known))
    problems = []
    if unknown:
        valid = ", ".join(sorted(known)) or "(none: this operation takes no parameters)"
        problems.append(f"unknown parameter(s) {', '.join(unknown)}; valid parameters: {valid}")
    missing = sorted(p.name for p in spec.parameters if p.required and p.name not in params)
    if missing:
        problems.append(f"missing required parameter(s): {', '.join(missing)}")
    for name, value in params.items():
        param = known.get(name)
        if param is None or value is None:
            continue
        expected = _JSON_TYPES.get(param.type)
        if expected and (not isinstance(value, expected) or (
                bool not in expected and isinstance(value, bool))):
            if param.type == "string" and param.json_schema.get("format") == "date-time" \
                    and isinstance(value, int | float):
                continue
            problems.append(f"parameter {name} must be {param.type}, got "
                            f"{type(value).__name__}")
    if problems:
        raise ValidationError(f"{spec.id}: " + "; ".join(problems))


def _observe(record: CallRecord, spec: APISpec | None) -> None:
    observability.current().bridge_call(record, spec)


class CallHandler:
    """Serves one run's bridged calls; collects their records."""

    def __init__(
        self,
        *,
        resolve: Callable[[str], APISpec],
        policy: Policy,
        execute: Executor,
        audit: AuditLog | None,
        run_id: str,
        deadline: float,
        allow_writes: bool | Sequence[str] = False,
        providers: Iterable[str] | None = None,
        context: dict[str, dict[str, Any]] | None = None,
        reply_limit: int = 32 << 20,
        on_timeout: Callable[[str], None] | None = None,
        mask: ResponseMask | None = None,
        on_flood: Callable[[str], None] | None = None,
    ) -> None:
        self.resolve = resolve
        self.policy = policy
        self.execute = execute
        self.audit = audit
        self.run_id = run_id
        self.deadline = deadline
        self.allow_writes = allow_writes
        self.providers = None if providers is None else sorted(set(providers))
        self.context = context or {}
        self.reply_limit = reply_limit
        self.on_timeout = on_timeout
        # every answer is masked on the host, whatever the write setting (core layers at least)
        self.mask: ResponseMask = mask or ResponseMasker()
        self.on_flood = on_flood
        self.records: list[CallRecord] = []
        self.requests = 0  # every bridge request: allowed, refused, invalid, describe
        self.recorded_bytes = 0
        self.audit_error: str | None = None
        self.cancelled = threading.Event()  # set when the run ends early: stop waiting
        # calls may arrive on a runtime thread: report them in the context of the run's caller
        # (its request id, its observability, its span)
        self._caller_context = contextvars.copy_context()

    @property
    def denied(self) -> list[CallRecord]:
        return [r for r in self.records if r.decision == "denied"]

    # ------------------------------------------------------------------ replies
    @staticmethod
    def _error(msg_id: Any, kind: str, message: str, **extra: Any) -> dict[str, Any]:
        """A refusal or failure as the guest sees it: host addresses (URLs, IPs, host:port)
        are left out; the call record and the audit log keep the original message."""
        return {"id": msg_id, "ok": False,
                "error": {"kind": kind, "message": scrub_addresses(message)[:4000], **extra}}

    def _admit(self, msg_id: Any) -> dict[str, Any] | None:
        """Count one request against the run's budget: every request counts, so a loop of
        invalid or refused calls is bounded like a loop of allowed ones."""
        self.requests += 1
        budget = self.policy.config.max_calls_per_run
        if self.requests <= budget:
            return None
        message = (f"call budget of {budget} bridge requests per run exhausted (invalid and "
                   "refused calls count too); narrow the query (filters, fewer pages)")
        if self.requests == budget + 1:
            self._record(CallRecord(operation="(budget)", decision="denied", reason=message))
        if self.requests > FLOOD_FACTOR * budget and self.on_flood is not None:
            self.on_flood(f"bridge flood: {self.requests} requests, over {FLOOD_FACTOR} x the "
                          f"budget of {budget}")
        return self._error(msg_id, "policy_denied", message, rule="budget")

    def _bounded(self, record: CallRecord) -> CallRecord:
        """Keep what a record holds small; past the run's recording budget keep only names."""
        if len(record.operation) > MAX_OP_CHARS:
            record.operation = record.operation[:MAX_OP_CHARS] + \
                f"… ({len(record.operation)} characters)"
        if len(record.reason) > MAX_REASON_CHARS:
            record.reason = record.reason[:MAX_REASON_CHARS] + "…"
        size = len(json.dumps(record.params, default=str)) if record.params else 0
        if size > MAX_PARAMS_BYTES or (size and self.recorded_bytes > MAX_RECORDED_BYTES):
            record.params = {"_omitted": f"{size} bytes of parameters"}
        self.recorded_bytes += min(size, MAX_PARAMS_BYTES) + len(record.reason) + \
            len(record.operation) + 200
        return record

    def _record(self, record: CallRecord, spec: APISpec | None = None) -> None:
        record = self._bounded(record)
        self.records.append(record)
        if self.audit is not None:
            try:
                self.audit.write(record, run_id=self.run_id)
            except Exception as exc:  # the call itself went fine: report the log, not the call
                if self.audit_error is None:
                    self.audit_error = f"the audit log could not be written: {exc}"
                    log.error("run %s: %s", self.run_id, self.audit_error)
        try:
            self._caller_context.run(_observe, record, spec)
        except RuntimeError:  # the context is in use in another thread: report without it
            _observe(record, spec)

    def describe(self, msg: dict[str, Any]) -> dict[str, Any]:
        """Parameters and pagination of an operation (catalog data; not a cloud call)."""
        msg_id = msg.get("id")
        refused = self._admit(msg_id)
        if refused is not None:
            return refused
        op = str(msg.get("op", ""))
        if len(op) > MAX_OP_CHARS:
            return self._error(msg_id, "not_found", f"invalid operation id ({len(op)} "
                               f"characters; ids are at most {MAX_OP_CHARS})")
        try:
            spec = self.resolve(op)
        except McpSreError as exc:
            return self._error(msg_id, "not_found", str(exc))
        return {"id": msg_id, "ok": True, "data": {
            "id": spec.id, "name": spec.name, "provider": spec.provider,
            "service": spec.service, "access": spec.access, "pagination": spec.pagination,
            "parameters": [{"name": p.name, "type": p.type, "required": p.required}
                           for p in spec.parameters],
        }}

    def call(self, msg: dict[str, Any]) -> dict[str, Any] | bytes:
        msg_id, op = msg.get("id"), msg.get("op")
        params = msg.get("params")
        started = time.monotonic()
        refused = self._admit(msg_id)
        if refused is not None:
            return refused
        if not isinstance(op, str) or not isinstance(params, dict):
            return self._error(msg_id, "validation_error",
                               "a call needs an operation id string and a parameter mapping")
        if len(op) > MAX_OP_CHARS:
            message = f"invalid operation id ({len(op)} characters; ids are at most " \
                      f"{MAX_OP_CHARS}, like provider/service/Operation)"
            self._record(CallRecord(operation=op, params=redact(params), decision="invalid",
                                    reason=message))
            return self._error(msg_id, "not_found", message)
        try:
            spec = self.resolve(op)
        except McpSreError as exc:
            self._record(CallRecord(operation=op, params=redact(params), decision="invalid",
                                    reason=str(exc)))
            return self._error(msg_id, "not_found", str(exc))
        # The policy speaks first: a write is refused as a write, whatever its parameters.
        decision = self.policy.decide(spec, allow_writes=self.allow_writes,
                                      providers=self.providers,
                                      calls_so_far=sum(r.decision == "allowed"
                                                       for r in self.records))
        if not decision.allowed:
            self._record(CallRecord(operation=spec.id, params=redact(params), decision="denied",
                                    reason=decision.reason), spec)
            return self._error(msg_id, "policy_denied", decision.reason, rule=decision.rule)
        try:
            validate_params(spec, params)
        except McpSreError as exc:
            self._record(CallRecord(operation=op, params=redact(params), decision="invalid",
                                    reason=str(exc)))
            return self._error(msg_id, "validation_error", str(exc))
        return self._execute(msg_id, spec, params, msg.get("ctx"), started)

    def _wait(self, future: Any, remaining: float) -> Any:
        """The executor's answer, waiting no longer than the deadline or the run's end."""
        end = time.monotonic() + max(0.0, remaining)
        while True:
            left = end - time.monotonic()
            if left <= 0 or self.cancelled.is_set():
                raise FutureTimeout
            try:
                return future.result(timeout=min(left, 0.1))
            except FutureTimeout:
                continue

    def _context(self, spec: APISpec, guest: Any) -> dict[str, Any]:
        """The provider's host-side settings over those for every provider (key ``"*"``)."""
        context = {**self.context.get("*", {}), **self.context.get(spec.provider, {})}
        region = guest.get("region") if isinstance(guest, dict) else None
        if isinstance(region, str) and _REGION.match(region):
            context["region"] = region
        context["run_id"] = self.run_id
        context["timeout_s"] = max(0.1, self.deadline - time.monotonic())
        return context

    def _execute(self, msg_id: Any, spec: APISpec, params: dict[str, Any], guest_ctx: Any,
                 started: float) -> dict[str, Any] | bytes:
        record = CallRecord(operation=spec.id, params=redact(params), decision="allowed")
        reply: dict[str, Any] | bytes
        remaining = self.deadline - time.monotonic()
        future = _POOL.submit(self.execute, spec, dict(params), self._context(spec, guest_ctx))
        try:
            data = self._wait(future, remaining)
            if data is None:
                raise ProviderCallError(f"no plugin executes {spec.provider!r} operations",
                                        hint="install or enable the provider's plugin")
            data = self.mask(spec, jsonable(data))
            encoded = marshal.dumps({"id": msg_id, "ok": True, "data": data}, 4)
            if len(encoded) > self.reply_limit:
                raise ProviderCallError(
                    f"the response of {spec.id} is {len(encoded)} bytes, over the "
                    f"{self.reply_limit}-byte limit", kind="validation_error",
                    hint="narrow it with filters or smaller pages (MaxResults)")
            record.result_bytes = len(encoded)
            reply = encoded
        except FutureTimeout:
            future.cancel()
            message = f"{spec.id} did not answer before the run's time limit" \
                if not self.cancelled.is_set() else f"{spec.id}: the run was stopped"
            record.error = ErrorInfo(type="timeout", message=message,
                                     environment=not self.cancelled.is_set())
            reply = self._error(msg_id, "timeout", message)
            if self.on_timeout is not None and not self.cancelled.is_set():
                self.on_timeout(message)
        except ProviderCallError as exc:
            kind = exc.kind if exc.kind in ("provider_error", "validation_error") else \
                "provider_error"
            record.error = ErrorInfo(  # type: ignore[arg-type]
                type=kind, message=str(exc),
                environment=environment_fault(kind, str(exc), exc.code, exc.status))
            reply = self._error(msg_id, kind, str(exc), code=exc.code, status=exc.status,
                                operation=spec.id)
        except McpSreError as exc:
            record.error = ErrorInfo(type="provider_error", message=str(exc),
                                     environment=environment_fault("provider_error", str(exc)))
            reply = self._error(msg_id, "provider_error", str(exc))
        except (ValueError, RecursionError) as exc:
            message = f"the response of {spec.id} cannot be sent: {exc}"
            record.error = ErrorInfo(type="provider_error", message=message)
            reply = self._error(msg_id, "provider_error", message)
        except Exception as exc:  # a plugin bug: report it, keep the host healthy
            message = f"{type(exc).__name__}: {exc}"[:2000]
            record.error = ErrorInfo(type="provider_error", message=message)
            reply = self._error(msg_id, "provider_error", message)
        record.duration_ms = round((time.monotonic() - started) * 1000, 3)
        self._record(record, spec)
        return reply
