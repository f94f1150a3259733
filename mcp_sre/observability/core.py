"""``Observability``: the one object the seams report to -- metrics, log events and spans.

The server owns one (``ServerState.observability``) and makes it current for each tool call;
the sandbox, the bridge, retrieval and the LLM clients find it with ``current()``. Outside a
server (plain library use) ``current()`` is ``DISABLED``, whose methods do nothing.
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from mcp_sre.observability.context import (
    _request_id,
    _reset_current,
    _set_current,
    bind_ids,
    current_ids,
    new_id,
)
from mcp_sre.observability.logs import get_logger
from mcp_sre.observability.metrics import LIMIT_KINDS, Metrics

if TYPE_CHECKING:
    from mcp_sre.config import Settings

__all__ = ["DISABLED", "AgentRun", "Observability"]

T = TypeVar("T")


def _rounds_label(rounds: int) -> str:
    return str(rounds) if 1 <= rounds <= 3 else "more"


class AgentRun:
    """One agent run: its id, its steps and decisions, and how it ended.

    Set ``outcome`` before the block ends to report something other than ``ok`` (an
    exception reports ``error``)."""

    def __init__(self, obs: Observability, agent: str, run_id: str) -> None:
        self.obs, self.agent, self.run_id = obs, agent, run_id
        self.outcome = "ok"
        self.steps = 0

    @contextlib.contextmanager
    def step(self, kind: str, **fields: Any) -> Iterator[None]:
        """One step (gather evidence, run a check, ask the model): a span around it, one log
        event when it ends, and the step counter."""
        started = time.perf_counter()
        self.steps += 1
        status = "ok"
        try:
            with self.obs.span("agent.step", agent=self.agent, kind=kind):
                yield
        except BaseException:
            status = "error"
            raise
        finally:
            if self.obs.metrics is not None:
                self.obs.metrics.agent_steps.labels(self.agent, kind).inc()
            if self.obs.log_events:
                self.obs.log.info(
                    "agent_step",
                    agent=self.agent,
                    kind=kind,
                    status=status,
                    duration_ms=_ms(started),
                    **fields,
                )

    def decision(self, what: str, **fields: Any) -> None:
        """Something the agent decided (a rule matched, a hypothesis ruled out) and why."""
        if self.obs.log_events:
            self.obs.log.info("agent_decision", agent=self.agent, decision=what, **fields)


class Observability:
    """Metrics (``metrics`` may be None), structured log events and optional spans."""

    def __init__(
        self,
        *,
        metrics: Metrics | None = None,
        tracer_provider: Any = None,
        log_events: bool = True,
    ) -> None:
        self.metrics = metrics
        self.log_events = log_events
        self.log = get_logger("mcp_sre")
        self.tracer_provider = tracer_provider
        self._tracer = tracer_provider.get_tracer("mcp_sre") if tracer_provider else None
        self._searches: deque[tuple[str, ...]] = deque(maxlen=64)

    @classmethod
    def from_settings(cls, settings: Settings, version: str = "") -> Observability:
        """Metrics on, and OTLP traces when ``settings.otlp_endpoint`` is set."""
        provider = None
        endpoint = getattr(settings, "otlp_endpoint", None)
        if endpoint:
            from mcp_sre.observability.tracing import make_tracer_provider

            provider = make_tracer_provider(endpoint)
        return cls(metrics=Metrics(version=version), tracer_provider=provider)

    @property
    def enabled(self) -> bool:
        return self.metrics is not None or self.log_events or self._tracer is not None

    def close(self) -> None:
        if self.tracer_provider is not None:
            self.tracer_provider.shutdown()

    # ------------------------------------------------------------------ spans
    @contextlib.contextmanager
    def span(self, name: str, **attributes: Any) -> Iterator[Any]:
        """A span around the block (nothing when tracing is off)."""
        if self._tracer is None:
            yield None
            return
        attrs = {
            k: v
            for k, v in {**attributes, **current_ids()}.items()
            if isinstance(v, str | bool | int | float)
        }
        with self._tracer.start_as_current_span(name, attributes=attrs) as span:
            yield span

    def _leaf(self, name: str, seconds: float, **attributes: Any) -> None:
        """A span for work that already happened (a search, a bridge call, an LLM call)."""
        if self._tracer is None:
            return
        end = time.time_ns()
        attrs = {
            k: v
            for k, v in {**attributes, **current_ids()}.items()
            if isinstance(v, str | bool | int | float)
        }
        span = self._tracer.start_span(name, attributes=attrs, start_time=end - int(seconds * 1e9))
        span.end(end_time=end)

    # -------------------------------------------------------------- tool calls
    async def tool_call(self, name: str, call: Callable[[], Awaitable[T]]) -> T:
        """Run one MCP tool call as the current request: ids, span, metrics, one event."""
        token = _set_current(self)
        request = _request_id.set(new_id())
        try:
            if self._tracer is None:
                return await self._observed_call(name, call)
            with self.span("tool_call", tool=name):
                return await self._observed_call(name, call)
        finally:
            _request_id.reset(request)
            _reset_current(token)

    async def _observed_call(self, name: str, call: Callable[[], Awaitable[T]]) -> T:
        started = time.perf_counter()
        outcome, error = "error", None
        try:
            result = await call()
            outcome = "ok"
            return result
        except Exception as exc:
            error = str(exc)[:300]
            raise
        finally:
            elapsed = time.perf_counter() - started
            if self.metrics is not None:
                self.metrics.tool_calls.labels(name, outcome).inc()
                self.metrics.tool_latency.labels(name).observe(elapsed)
            if self.log_events:
                self.log.info(
                    "tool_call",
                    tool=name,
                    outcome=outcome,
                    error=error,
                    duration_ms=round(elapsed * 1000, 3),
                )

    # ----------------------------------------------------------------- sandbox
    def sandbox_run(self, result: Any) -> None:
        """After a sandbox run (``RunResult``): outcome, duration, limit hits."""
        kind = result.error.type if result.error is not None else "ok"
        seconds = result.duration_ms / 1000
        if self.metrics is not None:
            self.metrics.sandbox_runs.labels(kind).inc()
            self.metrics.sandbox_latency.observe(seconds)
            if kind in LIMIT_KINDS:
                self.metrics.sandbox_limits.labels(LIMIT_KINDS[kind]).inc()
        if self.log_events:
            self.log.info(
                "sandbox_run",
                outcome=kind,
                duration_ms=result.duration_ms,
                calls=len(result.calls),
                error=result.error.message[:300] if result.error else None,
            )

    def bridge_call(self, record: Any, spec: Any = None) -> None:
        """One bridged call (``CallRecord``) as decided by the policy."""
        provider = getattr(spec, "provider", None) or str(record.operation).split("/", 1)[0]
        access = getattr(spec, "access", None) or "unknown"
        if self.metrics is not None:
            m = self.metrics
            m.bridge_calls.labels(provider, access, record.decision).inc()
            if record.decision == "allowed":
                m.bridge_latency.labels(provider).observe(record.duration_ms / 1000)
                if record.error is not None:
                    m.bridge_errors.labels(provider, record.error.type).inc()
        if self.log_events:
            self.log.info(
                "bridge_call",
                operation=record.operation,
                provider=provider,
                access=access,
                decision=record.decision,
                reason=record.reason or None,
                duration_ms=record.duration_ms,
                error=record.error.type if record.error else None,
            )
        self._leaf(
            "bridge.call",
            record.duration_ms / 1000,
            operation=record.operation,
            decision=record.decision,
        )

    # --------------------------------------------------------------- retrieval
    def search(self, query: str, mode: str, seconds: float, result_ids: list[str]) -> None:
        self._searches.append(tuple(result_ids))
        if self.metrics is not None:
            self.metrics.retrieval_latency.labels(mode).observe(seconds)
        if self.log_events:
            self.log.info(
                "search",
                query=query[:200],
                mode=mode,
                duration_ms=round(seconds * 1000, 3),
                top=result_ids[:3],
            )
        self._leaf("retrieval.search", seconds, mode=mode)

    def tool_registered(self, name: str, operations: list[str]) -> None:
        """Registered code calls ``operations``: their rank in the latest search holding
        each (how far down the list the right operation was)."""
        for op in operations:
            rank = next(
                (ids.index(op) + 1 for ids in reversed(self._searches) if op in ids), float("inf")
            )
            if self.metrics is not None:
                self.metrics.retrieval_rank.observe(rank)
        if self.log_events:
            self.log.info("tool_registered", tool=name, operations=operations[:10])

    # ---------------------------------------------------------------- codegen
    def tool_request(self, path: str) -> None:
        """How generate_tool answered: reused, generated or context_pack."""
        if self.metrics is not None:
            self.metrics.tool_requests.labels(path).inc()
        if self.log_events:
            self.log.info("tool_request", path=path)

    def codegen(self, ok: bool, rounds: int, **fields: Any) -> None:
        if self.metrics is not None:
            self.metrics.codegen_runs.labels("ok" if ok else "failed", _rounds_label(rounds)).inc()
        if self.log_events:
            self.log.info("codegen_run", outcome="ok" if ok else "failed", rounds=rounds, **fields)

    # -------------------------------------------------------------------- LLM
    def llm_call(
        self,
        *,
        source: str,
        model: str,
        seconds: float,
        outcome: str = "ok",
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        cost: float | None = None,
    ) -> None:
        model = model or "unknown"
        if self.metrics is not None:
            m = self.metrics
            m.llm_calls.labels(model, source, outcome).inc()
            m.llm_latency.labels(source).observe(seconds)
            if input_tokens:
                m.llm_tokens.labels(model, "input").inc(input_tokens)
            if output_tokens:
                m.llm_tokens.labels(model, "output").inc(output_tokens)
            if cost:
                m.llm_cost.labels(model).inc(cost)
        if self.log_events:
            self.log.info(
                "llm_call",
                source=source,
                model=model,
                outcome=outcome,
                duration_ms=round(seconds * 1000, 3),
                input_tokens=input_tokens,
                output_tokens=output_tokens,
                cost=cost,
            )
        self._leaf("llm.call", seconds, source=source, model=model, outcome=outcome)

    # ------------------------------------------------------------------ agents
    @contextlib.contextmanager
    def agent_run(self, agent: str, **fields: Any) -> Iterator[AgentRun]:
        """One agent run with its own run id (see :class:`AgentRun`)."""
        run = AgentRun(self, agent, new_id())
        started = time.perf_counter()
        with bind_ids(run_id=run.run_id), self.span("agent.run", agent=agent):
            if self.log_events:
                self.log.info("agent_run_started", agent=agent, **fields)
            try:
                yield run
            except BaseException:
                run.outcome = "error"
                raise
            finally:
                elapsed = time.perf_counter() - started
                if self.metrics is not None:
                    self.metrics.agent_runs.labels(agent, run.outcome).inc()
                    self.metrics.agent_latency.labels(agent).observe(elapsed)
                if self.log_events:
                    self.log.info(
                        "agent_run_finished",
                        agent=agent,
                        outcome=run.outcome,
                        steps=run.steps,
                        duration_ms=round(elapsed * 1000, 3),
                    )


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


DISABLED = Observability(metrics=None, log_events=False)
