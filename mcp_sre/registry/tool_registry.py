"""``ToolRegistry``: register, find, call, score, deprecate, roll back.

Registration is check -> test -> store: the static checks and the security review
(:mod:`mcp_sre.toolcode.review`), then the tool's own test in the sandbox
(:mod:`mcp_sre.toolcode.harness`); only a tool that
passes both is written, and a refusal lists every reason. Calls validate the arguments against
the tool's schema, run ``main(**args)`` in the sandbox restricted to the tool's providers, and
record the outcome; a tool whose score falls below the threshold after enough calls of its
active version is deprecated (hidden, kept on disk, restorable).
"""

from __future__ import annotations

import functools
import json
import logging
import math
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema

from mcp_sre.config import Settings, load_settings
from mcp_sre.errors import NotFoundError, SandboxError, ValidationError
from mcp_sre.registry.matching import Embedder, ToolDoc, ToolMatcher
from mcp_sre.registry.models import (
    NAME_PATTERN,
    CheckReport,
    RegisteredTool,
    TestReport,
    ToolMatch,
    ToolState,
    ToolStats,
    ToolSummary,
    utcnow,
)
from mcp_sre.registry.starter import install_starter_tools
from mcp_sre.registry.stats import StatsStore
from mcp_sre.registry.store import RegistryStore
from mcp_sre.sandbox.policy import BUILTIN_SENSITIVE
from mcp_sre.toolcode.calls import SdkNamer, sdk_namer
from mcp_sre.toolcode.harness import build_tool_program, failure_location, relabel_traceback
from mcp_sre.toolcode.harness import run_test as run_test_program
from mcp_sre.toolcode.models import ReviewFinding
from mcp_sre.toolcode.review import review_tool

if TYPE_CHECKING:
    import pluggy

    from mcp_sre.retrieval.vocabulary import Vocabulary
    from mcp_sre.sandbox import RunResult, Sandbox

__all__ = ["RegistrationRefused", "ToolCallError", "ToolRegistry", "score"]

log = logging.getLogger("mcp_sre.registry")

REUSE_THRESHOLD = 0.7  # lexical similarity, when no embedding model is available
# With an embedding model the decision is the matcher's confidence (a fitted probability that
# reusing the best tool answers the request; see registry/matching.py and fit_reuse.py).
REUSE_CANDIDATES = 3  # the reuse decision looks at this many best-ranked tools
# at most 1 false reuse in the 138 training requests (fit_reuse.py: above 0.798)
DENSE_REUSE_THRESHOLD = 0.8
DEPRECATE_BELOW = 0.45
MIN_CALLS = 10
Progress = Callable[[int, int, str], None]


class RegistrationRefused(ValidationError):
    """The tool failed its checks or its test; ``findings`` and ``test`` say exactly why."""

    def __init__(self, name: str, findings: list[ReviewFinding], test: TestReport | None) -> None:
        self.findings, self.test = findings, test
        reasons = [str(f) for f in findings if f.severity == "error"]
        if test is not None and not test.passed:
            reasons.append(f"[test] {test.error or 'failed'}")
        shown = "; ".join(reasons[:12]) + (f" (+{len(reasons) - 12} more)" if len(reasons) > 12
                                           else "")
        super().__init__(f"tool {name!r} was not registered: {shown}")


class ToolCallError(SandboxError):
    """A registered tool's run failed; the message is the sandbox's reason."""


def score(stats: ToolStats, created_at: datetime, now: datetime | None = None) -> float:
    """0..1: success rate of the active version (smoothed), usage, and freshness."""
    now = now or utcnow()
    success = (stats.window_successes + 1) / (stats.window_calls + 2)
    usage = min(1.0, math.log1p(stats.calls) / math.log1p(100))
    last = stats.last_called_at or created_at
    days = max(0.0, (now - last).total_seconds() / 86400)
    freshness = 0.5 ** (days / 30)
    return round(0.6 * success + 0.25 * usage + 0.15 * freshness, 4)


class ToolRegistry:
    """The registry of generated tools under ``settings.registry_dir``.

    ``sandbox`` is a :class:`~mcp_sre.sandbox.Sandbox` or a zero-argument factory (the server
    passes its lazy one); ``operation_lookup`` resolves operation ids for the write check;
    ``reserved_names`` are names tools may not take (the server's built-in tools);
    ``vocabulary`` (or a factory of it) is the search vocabulary the matcher reads requests
    with (default: the one built from ``pm``).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        sandbox: Sandbox | Callable[[], Sandbox] | None = None,
        operation_lookup: Callable[[str], Any] | None = None,
        pm: pluggy.PluginManager | None = None,
        reserved_names: Iterable[str] = (),
        embed: Embedder | str | None = "auto",
        vocabulary: Vocabulary | Callable[[], Vocabulary] | None = None,
        reuse_threshold: float | None = None,
        deprecate_below: float = DEPRECATE_BELOW,
        min_calls: int = MIN_CALLS,
        test_timeout_s: float = 60,
        call_timeout_s: float = 60,
    ) -> None:
        self.settings = settings or load_settings()
        self.store = RegistryStore(Path(self.settings.registry_dir))
        install_starter_tools(self.settings, self.store)  # first use of a new registry
        self.stats = StatsStore(Path(self.settings.home) / "registry" / "stats.sqlite")
        self._sandbox = sandbox
        self._lookup = operation_lookup
        self.pm = pm
        self._vocabulary = vocabulary
        self.reserved = set(reserved_names)
        self._embed = embed
        self._reuse_threshold = reuse_threshold
        self.deprecate_below = deprecate_below
        self.min_calls = min_calls
        self.test_timeout_s = test_timeout_s
        self.call_timeout_s = call_timeout_s
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ parts
    @functools.cached_property
    def matcher(self) -> ToolMatcher:
        """Built on the first search (loading the vocabulary and the model is not free).
        ``embed="auto"`` is the retrieval embedder (None when dense retrieval is off)."""
        embed = self._embed
        if isinstance(embed, str):
            from mcp_sre.retrieval.dense import load_embedder

            embed = load_embedder(embed)
        vocabulary = self._vocabulary() if callable(self._vocabulary) else self._vocabulary
        if vocabulary is None and self.pm is not None:
            from mcp_sre.retrieval.vocabulary import load_vocabulary

            vocabulary = load_vocabulary(self.pm)
        return ToolMatcher(embed, vocabulary)

    @property
    def reuse_threshold(self) -> float:
        """The confidence a best match needs to be reused: the one given, else the fitted
        model's (with an embedder) or the lexical similarity's."""
        if self._reuse_threshold is not None:
            return self._reuse_threshold
        return DENSE_REUSE_THRESHOLD if self.matcher.embed is not None else REUSE_THRESHOLD

    @property
    def sandbox(self) -> Sandbox:
        with self._lock:
            if self._sandbox is None:
                from mcp_sre.sandbox import Sandbox

                self._sandbox = Sandbox(self.settings, pm=self.pm,
                                        operation_lookup=self._lookup)
            if callable(self._sandbox) and not hasattr(self._sandbox, "run"):
                self._sandbox = self._sandbox()
            return self._sandbox  # type: ignore[return-value]

    def _sensitive(self) -> list[str]:
        extra: list[str] = []
        if self.pm is not None:
            for group in self.pm.hook.sensitive_operations() or []:
                extra.extend(group or [])
        return [*BUILTIN_SENSITIVE, *extra]

    def _sdk(self) -> SdkNamer | None:
        """How the plugins name SDK calls, for the write check and the operation list."""
        return sdk_namer(self.pm)

    # ------------------------------------------------------------ registration
    def check(self, name: str, description: str, code: str, test: str,
              parameters: Any, returns: dict[str, Any] | None = None,
              progress: Progress | None = None) -> tuple[CheckReport, TestReport | None]:
        """Everything registration runs, without storing: the review, then (if it passed) the
        sandbox test. The code generator calls this to judge a candidate."""
        if progress:
            progress(0, 2, "static checks and security review")
        findings = list(self._check_identity(name, description))
        if returns is not None:
            try:
                jsonschema.Draft202012Validator.check_schema(returns)
            except jsonschema.SchemaError as exc:
                findings.append(ReviewFinding(rule="returns", where="returns",
                                        message=f"not a valid JSON Schema: {exc.message}"))
        report = review_tool(code, test, parameters, lookup=self._lookup,
                             sensitive=self._sensitive(), sdk=self._sdk())
        report.findings[:0] = findings
        report.passed = report.passed and not any(f.severity == "error" for f in findings)
        if not report.passed:
            return report, None
        if progress:
            progress(1, 2, "running the test in the sandbox")
        result = self.run_test(code, test, timeout_s=self.test_timeout_s)
        if result.passed and returns is not None and result.sample is not None:
            try:
                jsonschema.validate(result.sample, returns)
            except jsonschema.ValidationError as exc:
                result.passed = False
                where = "/".join(str(p) for p in exc.absolute_path) or "value"
                result.error = (f"return_schema: main() returned a value that does not match "
                                f"'returns' at {where}: {exc.message}")
        return report, result

    def _resolves(self, op_id: str) -> bool:
        """Statically found ids are guesses for SDK calls: keep those the specs know."""
        if self._lookup is None:
            return True
        try:
            self._lookup(op_id)
        except Exception:
            return False
        return True

    def _check_identity(self, name: str, description: str) -> Iterable[ReviewFinding]:
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            yield ReviewFinding(rule="name", where="name", message=f"{name!r} is not a valid tool "
                          "name: lower_snake_case, 3-64 characters, starting with a letter")
        elif name in self.reserved:
            yield ReviewFinding(rule="name", where="name", message=f"{name!r} is a built-in tool; "
                          "choose another name")
        else:
            twin = self._look_alike(name)
            if twin is not None:
                yield ReviewFinding(rule="name", where="name", message=f"{name!r} differs from "
                                    f"the tool {twin!r} only by look-alike characters or "
                                    "separators; choose a name that reads differently")
        if not isinstance(description, str) or len(description.strip()) < 10:
            yield ReviewFinding(rule="description", where="name", message="describe what the tool "
                          "returns in at least one sentence (the model picks tools by it)")

    def _look_alike(self, name: str) -> str | None:
        """A built-in or another registered tool whose name reads the same as ``name``
        (``run_c0de``, ``word__count``, ``rn`` for ``m``), so it could pass for that tool."""
        key = name_skeleton(name)
        others = {t.name for t in self.list(include_deprecated=True)} | self.reserved
        return next((o for o in sorted(others) if o != name and name_skeleton(o) == key), None)

    def free_name(self, name: str) -> str:
        """``name``, or ``name_2``, ``name_3``... so a generated tool never replaces the active
        version of a tool someone else registered."""
        try:
            taken = {t.name for t in self.list(include_deprecated=True)} | self.reserved
        except Exception:  # listing is best effort; registration still checks the name
            return name
        candidate, n = name, 1
        while candidate in taken:
            n += 1
            candidate = f"{name[:60]}_{n}"
        return candidate

    def register(self, name: str, description: str, code: str, test: str,
                 parameters: Any, *, returns: dict[str, Any] | None = None,
                 providers: Iterable[str] = (), request: str | None = None,
                 targets: Iterable[str] = (), created_by: str = "register_tool",
                 progress: Progress | None = None) -> RegisteredTool:
        """Check, test and store a tool (a new version if the name exists); raises
        :class:`RegistrationRefused` listing every reason when it may not be registered."""
        report, result = self.check(name, description, code, test, parameters, returns,
                                    progress)
        if not report.passed or result is None or not result.passed:
            raise RegistrationRefused(str(name), report.findings, result)
        operations = list(dict.fromkeys([*result.operations, *(
            op for op in report.operations if self._resolves(op))]))
        tool = RegisteredTool(
            name=name, description=description.strip(), code=code, test=test,
            parameters=parameters, returns=returns,
            providers=sorted({*providers, *(op.split("/", 1)[0] for op in operations)}),
            operations=operations, targets=list(targets), request=request,
            created_by=created_by, checks=report, test_result=result)
        return self.store.add_version(tool)

    # --------------------------------------------------------------- sandbox
    def run_test(self, code: str, test: str, *, providers: list[str] | None = None,
                 timeout_s: float | None = None) -> TestReport:
        """Run ``test`` against ``code`` in the sandbox (see the contract in the package doc)."""
        report, _ = run_test_program(self.sandbox, code, test, providers=providers,
                                     timeout_s=timeout_s or self.test_timeout_s)
        return report

    def _run_tool(self, tool: RegisteredTool, args: dict[str, Any],
                  timeout_s: float | None) -> RunResult:
        return self.sandbox.run(build_tool_program(tool.code), providers=tool.providers, inputs=args,
                                timeout_s=timeout_s or self.call_timeout_s)

    # ------------------------------------------------------------------ reads
    def get(self, name: str, version: int | None = None) -> RegisteredTool:
        return self.store.load(name, version)

    def summary(self, name: str) -> ToolSummary:
        return self._summarize(self.store.head(name), self.store.load(name))

    def _summarize(self, head: ToolState, tool: RegisteredTool) -> ToolSummary:
        stats = self.stats.get(tool.name, tool.version, head.status_changed_at)
        return ToolSummary(
            name=tool.name, description=tool.description, version=tool.version,
            versions=len(self.store.versions(tool.name)), status=head.status,
            parameters=tool.parameters, providers=tool.providers, operations=tool.operations,
            created_at=tool.created_at, score=score(stats, tool.created_at), stats=stats)

    def _entries(self, include_deprecated: bool) -> list[tuple[ToolSummary, RegisteredTool]]:
        """(summary, active version) of every tool, best score first."""
        out = []
        for name in self.store.names():
            try:
                head = self.store.head(name)
                if head.status != "active" and not include_deprecated:
                    continue
                tool = self.store.load(name)
            except (NotFoundError, ValueError):  # half-removed or unreadable: skip, not fail
                continue
            out.append((self._summarize(head, tool), tool))
        return sorted(out, key=lambda e: (-e[0].score, e[0].name))

    def list(self, *, include_deprecated: bool = False) -> list[ToolSummary]:
        """Every tool, best score first (deprecated ones only when asked)."""
        return [summary for summary, _ in self._entries(include_deprecated)]

    def active_tools(self) -> list[RegisteredTool]:
        tools = []
        for name in self.store.names():
            try:
                if self.store.head(name).status == "active":
                    tools.append(self.store.load(name))
            except (NotFoundError, ValueError):
                continue
        return tools

    def find(self, request: str, *, limit: int = 5, threshold: float | None = None,
             include_deprecated: bool = False) -> list[ToolMatch]:
        """Tools that fit ``request``, best first; ``reuse`` is set on the best match when its
        confidence reaches the threshold (reuse it instead of generating code)."""
        if not isinstance(request, str) or not request.strip():
            raise ValidationError("request must be a non-empty description of what you need")
        threshold = self.reuse_threshold if threshold is None else threshold
        entries = self._entries(include_deprecated)
        summaries = {summary.name: summary for summary, _ in entries}
        docs = [self.tool_doc(tool) for _, tool in entries]
        ranked = [s for s in self.matcher.match(request, docs) if s.similarity > 0]
        # a request that names a cloud or service sees that scope's tools first
        ranked.sort(key=lambda s: not s.in_scope)
        # decide over the top candidates, not the first alone: a tool written for this very
        # request may rank second by similarity and still be the sure fit
        pool = [s for s in ranked[:REUSE_CANDIDATES] if s.in_scope]
        best = max(pool, key=lambda s: s.confidence, default=None)
        chosen = best.doc.name if best is not None and best.confidence >= threshold else None
        shown = ranked[:limit]
        if chosen is not None and all(s.doc.name != chosen for s in shown):
            shown.append(next(s for s in pool if s.doc.name == chosen))
        return [ToolMatch(tool=summaries[s.doc.name], similarity=s.similarity,
                          confidence=s.confidence, reuse=s.doc.name == chosen) for s in shown]

    @staticmethod
    def tool_doc(tool: RegisteredTool) -> ToolDoc:
        """What the matcher compares a request with: the tool's description and the request
        it was written for, its parameters, operations and providers."""
        params = tuple(f"{k} {(v or {}).get('description', '')}" for k, v in
                       (tool.parameters.get("properties") or {}).items())
        return ToolDoc(name=tool.name, description=f"{tool.description} {tool.request or ''}",
                       parameters=params, operations=tuple(tool.operations),
                       providers=tuple(tool.providers),
                       examples=(tool.request,) if tool.request else ())

    # ------------------------------------------------------------------ calls
    def validate_args(self, tool: RegisteredTool, args: Any) -> dict[str, Any]:
        if args is None:
            args = {}
        if not isinstance(args, dict):
            raise ValidationError(f"arguments for {tool.name} must be a JSON object")
        known = (tool.parameters.get("properties") or {}).keys()
        props = ", ".join(sorted(known)) or "none"
        try:
            jsonschema.validate(args, tool.parameters)
        except jsonschema.ValidationError as exc:
            where = "/".join(str(p) for p in exc.absolute_path) or "arguments"
            raise ValidationError(f"invalid arguments for {tool.name}: {where}: {exc.message}",
                                  hint=f"parameters: {props}") from exc
        unknown = sorted(set(args) - set(known))
        if unknown and tool.parameters.get("additionalProperties") is not True:
            # main() would raise TypeError: refuse here so the caller's slip is not counted
            # against the tool's success rate
            raise ValidationError(f"unknown arguments for {tool.name}: {', '.join(unknown)}",
                                  hint=f"parameters: {props}")
        return args

    def call(self, name: str, args: dict[str, Any] | None = None, *,
             timeout_s: float | None = None) -> Any:
        """Run the active version with ``args``; returns main's value or raises
        :class:`ToolCallError`. Deprecated tools can't be called until restored."""
        head = self.store.head(name)
        if head.status != "active":
            raise NotFoundError(f"tool {name!r} is deprecated ({head.status_reason})",
                                hint=f"restore it with `mcp-sre tools restore {name}`")
        tool = self.store.load(name)
        args = self.validate_args(tool, args)
        run = self._run_tool(tool, args, timeout_s)
        error = None if run.ok else (
            f"{run.error.type}: {run.error.message}" if run.error else "failed")
        environment = None if run.ok else environment_error(run)
        if environment is None:  # the environment's faults are not the tool's
            try:
                self.stats.record(name, tool.version, ok=run.ok, duration_ms=run.duration_ms,
                                  error=error)
                self._maybe_deprecate(name)
            except (OSError, sqlite3.Error) as exc:  # bookkeeping, not the call's outcome
                log.error("tool %s: its call could not be recorded: %s", name, exc)
        if not run.ok:
            trace = relabel_traceback(run.stderr, tool.code)
            if environment is not None:
                raise ToolCallError(
                    f"{name} failed because of the environment, not the tool (not counted "
                    f"against its score): {environment}",
                    hint="check credentials, cluster/endpoint configuration and reachability")
            raise ToolCallError(f"{name} failed: {error}{failure_location(trace)}")
        try:
            json.dumps(run.result)
        except (TypeError, ValueError):
            return str(run.result)
        return run.result

    def _maybe_deprecate(self, name: str) -> bool:
        with self.store.locked():
            head = self.store.head(name)
            if head.status != "active":
                return False
            tool = self.store.load(name)
            stats = self.stats.get(name, tool.version, head.status_changed_at)
            value = score(stats, tool.created_at)
            if stats.window_calls < self.min_calls or value >= self.deprecate_below:
                return False
            self._set_status(name, "deprecated", f"score {value:.2f} below "
                             f"{self.deprecate_below} after {stats.window_calls} calls "
                             f"({stats.window_successes} succeeded)")
            return True

    # --------------------------------------------------------- state changes
    def _set_status(self, name: str, status: str, reason: str) -> None:
        with self.store.locked():
            head = self.store.head(name)
            now = utcnow()
            head.status, head.status_reason, head.status_changed_at = status, reason, now  # type: ignore[assignment]
            head.history.append(f"{now:%Y-%m-%dT%H:%M:%SZ} {status}: {reason}")
            self.store.write_head(head)

    def deprecate(self, name: str, reason: str = "deprecated by hand") -> None:
        self._set_status(name, "deprecated", reason)

    def restore(self, name: str) -> ToolSummary:
        """Make a deprecated tool active again; its score window starts afresh."""
        self._set_status(name, "active", "restored")
        return self.summary(name)

    def rollback(self, name: str, version: int | None = None) -> RegisteredTool:
        """Make an earlier version active (the one before the active one by default)."""
        with self.store.locked():
            head = self.store.head(name)
            versions = self.store.versions(name)
            if version is None:
                older = [v for v in versions if v < head.active_version]
                if not older:
                    raise ValidationError(f"tool {name!r} has no version before "
                                          f"v{head.active_version} to roll back to")
                version = older[-1]
            if version not in versions:
                raise NotFoundError(f"tool {name!r} has no version {version}",
                                    hint=f"versions: {', '.join(f'v{v}' for v in versions)}")
            now = utcnow()
            previous = head.active_version
            head.active_version, head.status = version, "active"
            head.status_reason, head.status_changed_at = f"rolled back from v{previous}", now
            head.history.append(f"{now:%Y-%m-%dT%H:%M:%SZ} rollback v{previous} -> v{version}")
            self.store.write_head(head)
            return self.store.load(name, version)

    def remove(self, name: str) -> Path:
        """Move the tool out of the registry (to ``.removed/``); its stats are dropped."""
        path = self.store.remove(name)
        self.stats.forget(name)
        return path


def environment_error(run: Any) -> str | None:
    """The environment's error behind a failed run (no credentials, no cluster, a target down
    or slow, throttling), or ``None`` when the failure is the code's."""
    if run.error is None or run.error.type in ("static_check", "policy_denied",
                                               "memory_limit", "output_limit"):
        return None
    for call in run.calls:
        if call.error is not None and call.error.environment:
            return f"{call.operation}: {call.error.message}"[:1000]
    return None


_CONFUSABLE = (("rn", "m"), ("vv", "w"), ("cl", "d"), ("0", "o"), ("1", "l"), ("i", "l"),
               ("5", "s"))


def name_skeleton(name: str) -> str:
    """What a name looks like to a reader: NFKC, case-folded, separators and spaces dropped,
    ASCII confusables folded (``0``/``o``, ``1``/``l``/``i``, ``rn``/``m``, ``vv``/``w``)."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = "".join(c for c in text if c.isalnum())
    for look, same in _CONFUSABLE:
        text = text.replace(look, same)
    return text
