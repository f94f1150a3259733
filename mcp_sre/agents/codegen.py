"""The CodeGenerator: a ReAct loop that turns a request into working, reviewed, read-only code.

One round: the model writes CODE and TEST (see :mod:`mcp_sre.toolcode.contract`) -> static
checks (the registry's review, :mod:`mcp_sre.toolcode.review`: syntax, the sandbox scan,
pyflakes-class errors, the contract, the security rules) -> the test runs in the sandbox
against the real target (:mod:`mcp_sre.toolcode.harness`, as registration runs it) -> an observation
(:func:`mcp_sre.agents.observe.observe_run`) goes back to the model. The loop stops at the first
passing round or after ``max_rounds``; the final code then gets a security review (AST rules,
plus an LLM verdict when a model is available). Nothing here raises for what the model or its
code did: every round is recorded and a failure ends in a report that says why.
"""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Literal

import anyio
from pydantic import BaseModel, Field

from mcp_sre.agents.context import (
    OperationFinder,
    Template,
    lessons_section,
    load_templates,
    system_prompt,
    user_prompt,
)
from mcp_sre.agents.observe import observe_run, parse_reply
from mcp_sre.errors import McpSreError, ValidationError
from mcp_sre.llm import LLM, Completion, Message
from mcp_sre.registry.models import slug_name
from mcp_sre.sandbox.models import RunResult
from mcp_sre.specs.model import APISpec
from mcp_sre.toolcode.calls import SdkNamer
from mcp_sre.toolcode.contract import check_contract
from mcp_sre.toolcode.harness import run_test
from mcp_sre.toolcode.llm_review import SecurityReview, llm_review, review_code
from mcp_sre.toolcode.review import review_tool

__all__ = ["CodeGenerator", "GenerationResult", "Progress", "RoundChecks", "RoundRecord"]

Progress = Callable[[float, float, str], Awaitable[None]]
Status = Literal["success", "failed", "rejected"]
DEFAULT_ROUNDS = 3


class RoundChecks(BaseModel):
    """Static checks of one round's code and test."""

    passed: bool = Field(description="No error-level finding")
    errors: list[str] = Field(default_factory=list, description="Findings that block the run")
    warnings: list[str] = Field(default_factory=list, description="Findings that only inform")
    parameters: dict[str, Any] = Field(default_factory=dict,
                                       description="JSON Schema derived from main's signature")


class RoundRecord(BaseModel):
    """Everything that happened in one round."""

    round: int = Field(description="1-based round number")
    prompt_chars: int = Field(description="Characters sent to the model (all messages)")
    prompt_messages: int = Field(description="Messages sent to the model")
    input_tokens: int | None = Field(default=None, description="Prompt tokens, if reported")
    output_tokens: int | None = Field(default=None, description="Completion tokens, if reported")
    cost: float | None = Field(default=None, description="Cost of the model call, if priced")
    model: str = Field(default="", description="Model that answered")
    llm_ms: float = Field(default=0.0, description="Time waiting for the model")
    reply_chars: int = Field(default=0, description="Length of the model's reply")
    name: str = Field(default="", description="Tool name proposed")
    description: str = Field(default="", description="Tool description proposed")
    code: str = Field(default="", description="The CODE the model wrote")
    test: str = Field(default="", description="The TEST the model wrote")
    reply_problem: str | None = Field(default=None, description="Why the reply was unusable")
    checks: RoundChecks | None = Field(default=None, description="Static checks, if reached")
    run: RunResult | None = Field(default=None, description="The sandbox run of the test")
    run_ms: float = Field(default=0.0, description="Time of the sandbox run")
    observation: str = Field(default="", description="What was fed back to the model")
    ok: bool = Field(default=False, description="The test passed in the sandbox")
    duration_ms: float = Field(default=0.0, description="Wall time of the whole round")


class GenerationResult(BaseModel):
    """The outcome of :meth:`CodeGenerator.generate`: the rounds and the final code."""

    request: str = Field(description="The request as given")
    providers: list[str] | None = Field(default=None, description="Providers enabled")
    status: Status = Field(description="success; failed (no passing round, or the model or "
                           "sandbox failed); rejected (passed but refused by the review)")
    ok: bool = Field(description="status == success: the code may be registered")
    failure: str | None = Field(default=None, description="Why it did not succeed, for people")
    name: str = Field(default="", description="Proposed tool name")
    description: str = Field(default="", description="Proposed tool description")
    code: str = Field(default="", description="The final code (last round's)")
    test: str = Field(default="", description="The final test (last round's)")
    parameters: dict[str, Any] = Field(default_factory=dict, description="main()'s JSON Schema")
    operations: list[str] = Field(default_factory=list,
                                  description="Operations offered to the model (retrieval)")
    called: list[str] = Field(default_factory=list,
                              description="Operations the final test run called")
    sample: Any = Field(default=None, description="The first value main() returned in the "
                        "passing test run")
    rounds: list[RoundRecord] = Field(default_factory=list, description="Every round, in order")
    review: SecurityReview | None = Field(default=None, description="Review of the final code")
    model: str = Field(default="", description="Model that wrote the code")
    input_tokens: int | None = Field(default=None, description="Prompt tokens, all calls")
    output_tokens: int | None = Field(default=None, description="Completion tokens, all calls")
    cost: float | None = Field(default=None, description="Cost of the rounds' model calls, "
                               "if priced")
    duration_ms: float = Field(default=0.0, description="Wall time of the whole generation")

    @property
    def first_round_ok(self) -> bool:
        return bool(self.rounds) and self.rounds[0].ok


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


class CodeGenerator:
    """Write -> check -> run -> observe -> fix, with any :class:`~mcp_sre.llm.LLM`.

    ``sandbox`` is a :class:`mcp_sre.sandbox.Sandbox` (anything with the same ``run``);
    ``find_operations`` picks the operations for a request (see
    :func:`mcp_sre.agents.context.retrieval_finder`); ``lookup`` resolves an operation id for
    the review (its access class); ``sdk`` names the operations of SDK-shaped calls
    (:func:`mcp_sre.toolcode.sdk_namer`).
    """

    def __init__(self, llm: LLM, sandbox: Any, find_operations: OperationFinder, *,
                 lookup: Callable[[str], APISpec] | None = None, max_rounds: int = DEFAULT_ROUNDS,
                 max_operations: int = 8, timeout_s: float = 60.0, max_tokens: int = 4096,
                 templates: list[Template] | None = None, llm_review: bool = True,
                 sdk: SdkNamer | None = None,
                 notes: Callable[[list[str]], list[str]] | None = None) -> None:
        if max_rounds < 1:
            raise ValidationError("max_rounds must be at least 1")
        self.llm = llm
        self.sandbox = sandbox
        self.find_operations = find_operations
        self.lookup = lookup
        self.max_rounds = max_rounds
        self.max_operations = max_operations
        self.timeout_s = timeout_s
        self.max_tokens = max_tokens
        self.templates = load_templates() if templates is None else templates
        self.use_llm_review = llm_review
        self.sdk = sdk
        self.notes = notes  # operation ids -> lessons from earlier runs (mcp_sre.learning)

    # ------------------------------------------------------------------ context
    async def context(self, request: str, providers: list[str] | None) -> list[APISpec]:
        return await anyio.to_thread.run_sync(
            self.find_operations, request, providers, self.max_operations)

    def first_messages(self, request: str, providers: list[str] | None,
                       operations: list[APISpec]) -> list[Message]:
        content = user_prompt(request, operations, self.templates, providers)
        lines = self.notes([s.id for s in operations]) if self.notes else []
        if lines:
            body, ask = content.rsplit("\n\n", 1)
            content = f"{body}\n\n{lessons_section(lines)}\n\n{ask}"
        return [Message(role="system", content=system_prompt()),
                Message(role="user", content=content)]

    # ------------------------------------------------------------------- rounds
    async def rounds(self, messages: list[Message], providers: list[str] | None,
                     ) -> AsyncIterator[RoundRecord]:
        """Yield one record per round; ``messages`` grows with each reply and observation.
        Stops after a passing round, after ``max_rounds``, or when the model or the sandbox
        cannot go on (that round's ``observation`` says why)."""
        for number in range(1, self.max_rounds + 1):
            record, reply_text = await self._round(number, messages, providers)
            yield record
            if record.ok or record.observation.startswith(("MODEL UNAVAILABLE", "SANDBOX")):
                return
            messages.append(Message(role="assistant", content=(
                _as_reply(record) if record.code else reply_text[:4000] or "(empty reply)")))
            messages.append(Message(role="user", content=(
                f"OBSERVATION (round {number}): {record.observation}\n\nFix the code and/or the "
                "test and reply again in the reply format, with both blocks complete.")))

    async def _round(self, number: int, messages: list[Message],
                     providers: list[str] | None) -> tuple[RoundRecord, str]:
        started = time.perf_counter()
        record = RoundRecord(round=number, prompt_messages=len(messages),
                             prompt_chars=sum(len(m.content) for m in messages))
        t0 = time.perf_counter()
        answer_text = ""
        try:
            answer: Completion = await self.llm.complete(
                list(messages), max_tokens=self.max_tokens, temperature=0.0)
        except Exception as exc:  # endpoint down, client refused sampling, ...
            record.llm_ms = _ms(t0)
            record.observation = f"MODEL UNAVAILABLE: {type(exc).__name__}: {exc}"[:1000]
            record.duration_ms = _ms(started)
            return record, answer_text
        record.llm_ms = _ms(t0)
        record.model = answer.model
        record.input_tokens, record.output_tokens = answer.input_tokens, answer.output_tokens
        record.cost = getattr(answer, "cost", None)  # endpoints with price settings
        answer_text = answer.text or ""
        record.reply_chars = len(answer_text)
        reply = parse_reply(answer_text)
        record.name, record.description = reply.name, reply.description
        record.code, record.test = reply.code, reply.test
        if reply.problem:
            record.reply_problem = reply.problem
            record.observation = f"Your reply could not be used: {reply.problem}."
            record.duration_ms = _ms(started)
            return record, answer_text
        # off the event loop: ruff runs as a subprocess, and an operation lookup may load specs
        record.checks = await anyio.to_thread.run_sync(self.check, reply.code, reply.test)
        if not record.checks.passed:
            record.observation = ("The static checks refused the code (nothing ran):\n"
                                  + "\n".join(f"- {e}" for e in record.checks.errors[:12]))
            record.duration_ms = _ms(started)
            return record, answer_text
        t1 = time.perf_counter()
        try:
            run = await anyio.to_thread.run_sync(self._run_test, reply.code, reply.test,
                                                 providers)
        except McpSreError as exc:  # the sandbox itself cannot run: not the model's fault
            record.run_ms = _ms(t1)
            record.observation = f"SANDBOX: {type(exc).__name__}: {exc}"
            record.duration_ms = _ms(started)
            return record, answer_text
        record.run_ms = _ms(t1)
        record.run = run
        record.ok = run.ok
        record.observation = observe_run(run, reply.code, reply.test)
        record.duration_ms = _ms(started)
        return record, answer_text

    def check(self, code: str, test: str) -> RoundChecks:
        """The registry's review (the same checks ``register_tool`` runs) plus the contract."""
        contract = check_contract(code, test)
        report = review_tool(code, test, contract.parameters or {"type": "object"},
                             lookup=self.lookup, sensitive=self._sensitive(), sdk=self.sdk)
        errors = [str(f) for f in report.findings if f.severity == "error"]
        errors += [p for p in contract.problems if p not in errors]
        warnings = [str(f) for f in report.findings if f.severity != "error"]
        return RoundChecks(passed=not errors, errors=errors, warnings=warnings,
                           parameters=contract.parameters)

    def _sensitive(self) -> list[str]:
        from mcp_sre.sandbox.policy import BUILTIN_SENSITIVE

        policy = getattr(self.sandbox, "policy", None)
        return list(getattr(policy, "sensitive", None) or BUILTIN_SENSITIVE)

    def _run_test(self, code: str, test: str, providers: list[str] | None) -> RunResult:
        _, run = run_test(self.sandbox, code, test, providers=providers,
                          timeout_s=self.timeout_s)
        assert run is not None  # the static checks parsed the test
        return run

    # ----------------------------------------------------------------- generate
    async def generate(self, request: str, providers: list[str] | None = None, *,
                       progress: Progress | None = None) -> GenerationResult:
        """Run the whole loop and the review; never raises for what the model did."""
        if not isinstance(request, str) or not request.strip():
            raise ValidationError("the request is empty",
                                  hint="describe what the tool should return, e.g. 'EC2 "
                                  "instances with CPU above 80%'")
        started = time.perf_counter()
        providers = sorted({p.strip() for p in providers if p.strip()}) if providers else None
        total = self.max_rounds + 1

        async def tell(done: float, message: str) -> None:
            if progress is not None:
                await progress(done, total, message)

        await tell(0, "retrieving operations")
        operations = await self.context(request, providers)
        messages = self.first_messages(request, providers, operations)
        result = GenerationResult(request=request, providers=providers, status="failed",
                                  ok=False, operations=[s.id for s in operations])
        async for record in self.rounds(messages, providers):
            result.rounds.append(record)
            state = "passed" if record.ok else (
                record.run.error.type if record.run and record.run.error else
                "checks failed" if record.checks and not record.checks.passed else "failed")
            await tell(record.round, f"round {record.round}/{self.max_rounds}: {state}")
        last = result.rounds[-1]
        result.name = last.name or slug_name(request)
        description = last.description or request.strip()[:200]
        result.description = description if len(description) >= 10 else (
            f"Answers: {request.strip()[:200]}")  # the registry wants a real sentence
        result.code, result.test, result.model = last.code, last.test, last.model
        if last.checks:
            result.parameters = last.checks.parameters
        if last.ok:
            await tell(self.max_rounds + 0.5, "security review")  # progress must increase
            run = last.run
            assert run is not None
            result.called = sorted({c.operation for c in run.calls if c.decision == "allowed"})
            if isinstance(run.result, dict):
                result.sample = run.result.get("sample")
            result.review = await self.review(last.code, last.test, result.description)
            if result.review.passed:
                result.status, result.ok = "success", True
            else:
                result.status = "rejected"
                result.failure = "the security review refused the final code: " + "; ".join(
                    result.review.findings or [result.review.llm_notes or "LLM verdict UNSAFE"])
        else:
            result.failure = self._failure_report(result.rounds)
        self._totals(result)
        result.duration_ms = _ms(started)
        await tell(total, result.status)
        return result

    async def review(self, code: str, test: str, description: str) -> SecurityReview:
        review = await anyio.to_thread.run_sync(functools.partial(
            review_code, code, test, lookup=self.lookup, sensitive=self._sensitive(),
            sdk=self.sdk))
        if not self.use_llm_review:
            return review
        verdict, notes, answer = await llm_review(self.llm, code, description)
        review.llm_verdict, review.llm_notes = verdict, notes
        review.passed = review.passed and verdict != "unsafe"
        if answer is not None:
            review.input_tokens, review.output_tokens = answer.input_tokens, answer.output_tokens
        return review

    @staticmethod
    def _totals(result: GenerationResult) -> None:
        review = result.review
        ins = [r.input_tokens for r in result.rounds] + [review.input_tokens if review else None]
        outs = [r.output_tokens for r in result.rounds] + [
            review.output_tokens if review else None]
        result.input_tokens = sum(i for i in ins if i is not None) if any(
            i is not None for i in ins) else None
        result.output_tokens = sum(o for o in outs if o is not None) if any(
            o is not None for o in outs) else None
        costs = [r.cost for r in result.rounds if r.cost is not None]
        result.cost = sum(costs) if costs else None

    def _failure_report(self, rounds: list[RoundRecord]) -> str:
        last = rounds[-1]
        if last.observation.startswith(("MODEL UNAVAILABLE", "SANDBOX")):
            return f"stopped in round {last.round}: {last.observation}"
        first_line = last.observation.splitlines()[0] if last.observation else "no observation"
        kinds = []
        for r in rounds:
            if r.reply_problem:
                kinds.append(f"round {r.round}: unusable reply")
            elif r.checks and not r.checks.passed:
                kinds.append(f"round {r.round}: static checks ({len(r.checks.errors)} errors)")
            elif r.run and r.run.error:
                kinds.append(f"round {r.round}: {r.run.error.type}")
        return (f"no passing code after {len(rounds)} round(s) ({'; '.join(kinds)}). Last "
                f"observation: {first_line[:600]}")


def _as_reply(record: RoundRecord) -> str:
    """The model's previous answer, normalised to the reply format."""
    return (f"NAME: {record.name or 'generated_tool'}\nDESCRIPTION: {record.description}\n"
            f"```python code\n{record.code.rstrip()}\n```\n```python test\n"
            f"{record.test.rstrip()}\n```")
