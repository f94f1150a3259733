"""The public face of the sandbox: ``Sandbox(...).run(code) -> RunResult``.

One run: static check -> fresh wasmtime engine + store (memory cap, epoch interruption, no
preopened directory but the read-only stdlib and guest modules, an environment holding only
``PYTHONHOME``) -> the program arrives over the bridge -> a watchdog interrupts it at the
deadline -> the result is classified from what the *host* observed first (timeout, output cap,
policy refusals, traps), then from the guest's own report.

``run`` is synchronous and thread-safe; the MCP server calls it from a worker thread.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import py_compile
import re
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mcp_sre import observability
from mcp_sre.config import Settings, load_settings
from mcp_sre.errors import ValidationError
from mcp_sre.sandbox.audit import AuditLog
from mcp_sre.sandbox.bridge import CallHandler, OperationLookup, OperationResolver
from mcp_sre.sandbox.channel import Channel, Limits
from mcp_sre.sandbox.checks import check_code
from mcp_sre.sandbox.guest import BOOT_MODULE, RESERVED, guest_sources
from mcp_sre.sandbox.masking import ResponseMasker
from mcp_sre.sandbox.models import ErrorInfo, RunResult, SandboxSetupError
from mcp_sre.sandbox.policy import Policy, PolicyConfig
from mcp_sre.sandbox.runtime import Execution, ExitInfo, ModuleCache
from mcp_sre.specs.model import APISpec

if TYPE_CHECKING:
    import pluggy

    from mcp_sre.specs.catalog import SpecCatalog

__all__ = ["CatalogOperations", "Sandbox"]

log = logging.getLogger("mcp_sre.sandbox")
MAX_TIMEOUT_S = 600.0
_MODULE_NAME = re.compile(r"\A[A-Za-z_]\w*(\.[A-Za-z_]\w*)*\Z")
_GUEST_KINDS = {"validation_error", "not_found", "provider_error", "policy_denied", "timeout",
                "memory_limit", "output_limit", "sandbox_error", "cancelled"}


class CatalogOperations:
    """``operation_lookup`` backed by the spec catalog, plus per-service name listing."""

    def __init__(self, catalog: SpecCatalog) -> None:
        self.catalog = catalog
        self._names: dict[tuple[str, str], list[str]] = {}

    def __call__(self, op_id: str) -> APISpec:
        return self.catalog.get(op_id)

    def names(self, provider: str, service: str) -> list[str]:
        key = (provider, service)
        if key not in self._names:
            names: list[str] = []
            for source in self.catalog.registry.for_provider(provider):
                if hasattr(self.catalog, "service_operations"):  # reads one service only
                    specs = self.catalog.service_operations(source.name, service)
                else:
                    specs = [s for s in self.catalog.iter_operations([source.name])
                             if s.service == service]
                names += [s.name for s in specs]
            self._names[key] = names
        return self._names[key]


class Sandbox:
    """Runs untrusted Python in CPython-on-WASI with a read-only bridge to the clouds.

    ``operation_lookup`` maps an operation id to its :class:`APISpec` (default: the spec
    catalog); pass :class:`CatalogOperations` over a catalog, not ``catalog.get``, so guests
    can also list a service's operation names. ``context`` holds host-side settings per provider, e.g.
    ``{"aws": {"region": "eu-west-1", "profile": "prod-ro"}}``; the guest never sees it.
    ``module_dir`` holds the compiled interpreter (default: ``$MCP_SRE_WASM_CACHE`` if set,
    else ``$MCP_SRE_HOME/sandbox``).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        pm: pluggy.PluginManager | None = None,
        operation_lookup: OperationLookup | None = None,
        *,
        policy: PolicyConfig | None = None,
        context: dict[str, dict[str, Any]] | None = None,
        limits: Limits | None = None,
        memory_mb: int = 256,
        audit: bool = True,
        module_dir: Path | None = None,
    ) -> None:
        self.settings = settings or load_settings()
        if pm is None:
            from mcp_sre.plugin_manager import make_plugin_manager

            pm = make_plugin_manager()
        self.pm = pm
        self._lookup = operation_lookup
        self._resolver: OperationResolver | None = None
        sensitive = [p for group in pm.hook.sensitive_operations() or [] for p in group or []]
        self.policy = Policy(policy, sensitive,
                             secret_check=lambda spec: pm.hook.secret_operation(spec=spec))
        self.masker = ResponseMasker(pm)
        self.context = context or {}
        self.limits = limits or Limits()
        self.memory_bytes = memory_mb << 20
        self.home = Path(self.settings.home) / "sandbox"
        shared = os.environ.get("MCP_SRE_WASM_CACHE")
        self.modules = ModuleCache(module_dir or (Path(shared) if shared else self.home))
        self.audit = AuditLog(Path(self.settings.home) / "audit.log") if audit else None
        self._guest_dir: Path | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ set-up
    def warm(self) -> None:
        """Compile (or find) the interpreter module and lay out the guest modules."""
        self.modules.ensure()
        self.modules.stdlib_dir()
        self.guest_dir()

    def resolver(self) -> OperationResolver:
        with self._lock:
            if self._resolver is None:
                lookup = self._lookup
                if lookup is None:
                    from mcp_sre.specs.catalog import SpecCatalog

                    lookup = CatalogOperations(SpecCatalog(self.settings, self.pm))
                names = getattr(lookup, "names", None)
                self._resolver = OperationResolver(lookup, names)
            return self._resolver

    def guest_modules(self) -> dict[str, str]:
        """Core guest modules plus every plugin's shims (a failing plugin is skipped)."""
        modules: dict[str, str] = {}
        for impl in reversed(self.pm.hook.sandbox_shims.get_hookimpls()):
            try:
                shims = impl.function() or {}
            except Exception as exc:
                log.warning("plugin %s: sandbox_shims failed and is skipped: %s",
                            impl.plugin_name, exc)
                continue
            for name, source in shims.items():
                if name in RESERVED or not _MODULE_NAME.match(name) or \
                        not isinstance(source, str):
                    continue  # a plugin may not replace the bridge client
                modules[name] = source
        modules.update(guest_sources())
        return modules

    def guest_dir(self) -> Path:
        """Content-addressed directory of guest modules (``/sre`` in the guest)."""
        if self._guest_dir is not None:
            return self._guest_dir
        modules = self.guest_modules()
        digest = hashlib.sha256(json.dumps(modules, sort_keys=True).encode()).hexdigest()[:16]
        target = self.home / f"guest-{digest}"
        if not target.is_dir():
            self.home.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".guest-", dir=self.home))
            _layout(staging, modules)
            try:
                os.rename(staging, target)
            except OSError:  # another run laid it out first
                shutil.rmtree(staging, ignore_errors=True)
        self._guest_dir = target
        return target

    # --------------------------------------------------------------------- run
    def run(
        self,
        code: str,
        *,
        providers: Iterable[str] | None = None,
        timeout_s: float = 30,
        allow_writes: bool | Sequence[str] = False,
        inputs: dict[str, Any] | None = None,
        cancel: threading.Event | None = None,
    ) -> RunResult:
        """Run ``code``; never raises for what the program does (see ``RunResult.error``).

        Setting ``cancel`` (from any thread) stops the run at once (error type
        ``cancelled``), e.g. when the MCP client cancelled the request."""
        started = time.monotonic()
        if not isinstance(code, str):
            raise ValidationError("code must be a string of Python source")
        if not 0 < timeout_s <= MAX_TIMEOUT_S:
            raise ValidationError(f"timeout_s must be in (0, {MAX_TIMEOUT_S:g}]")
        try:
            json.dumps(inputs)
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"inputs must be JSON data: {exc}") from exc
        obs = observability.current()
        with obs.span("sandbox.run"):
            findings = check_code(code)
            if findings:
                shown = "; ".join(str(f) for f in findings[:10])
                result = RunResult(ok=False, duration_ms=_ms(started),
                                   error=ErrorInfo(type="static_check", message=shown))
            else:
                result = _ProgramRun(self, code, providers, timeout_s, allow_writes,
                                     inputs or {}, started, cancel).execute()
        obs.sandbox_run(result)
        return result


class _ProgramRun:
    """State of one execution; ``abort`` may be called from the watchdog or the bridge."""

    def __init__(self, box: Sandbox, code: str, providers: Iterable[str] | None,
                 timeout_s: float, allow_writes: bool | Sequence[str],
                 inputs: dict[str, Any], started: float,
                 cancel: threading.Event | None = None) -> None:
        self.box, self.code, self.inputs, self.started = box, code, inputs, started
        self.timeout_s = timeout_s
        self.cancel = cancel
        self.finished = False
        self.run_id = uuid.uuid4().hex[:12]
        self.abort_reason: ErrorInfo | None = None
        self._abort_lock = threading.Lock()
        self.execution: Execution | None = None
        self.handler = CallHandler(
            resolve=lambda op: box.resolver()(op), policy=box.policy, execute=self._execute,
            audit=box.audit, run_id=self.run_id, deadline=started + timeout_s,
            allow_writes=allow_writes, providers=providers, context=box.context,
            reply_limit=box.limits.reply, mask=box.masker,
            on_timeout=lambda m: self.abort("timeout", f"time limit reached: {m}"),
            on_flood=lambda m: self.abort("policy_denied", m))

    def _execute(self, spec: APISpec, params: dict[str, Any], context: dict[str, Any]) -> Any:
        return self.box.pm.hook.execute_operation(spec=spec, params=params, context=context)

    def abort(self, kind: str, message: str) -> None:
        """Stop the run (from the watchdog, the canceller or the bridge). Late calls, after
        the guest stopped, change nothing."""
        with self._abort_lock:
            if self.finished:
                return
            if self.abort_reason is None:
                self.abort_reason = ErrorInfo(type=kind, message=message)  # type: ignore[arg-type]
        self.handler.cancelled.set()
        if self.execution is not None:
            self.execution.interrupt()

    def _watch(self, stop: threading.Event) -> None:
        """Watchdog: the deadline, or the caller's cancel event, whichever comes first."""
        deadline = time.monotonic() + self.timeout_s
        while not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                self.abort("timeout", f"the program ran longer than {self.timeout_s:g} s")
                return
            if self.cancel is not None and self.cancel.is_set():
                self.abort("cancelled", "the run was cancelled by its caller")
                return
            stop.wait(min(left, 0.05 if self.cancel is not None else left))

    def execute(self) -> RunResult:
        box = self.box
        try:
            channel = Channel(box.limits, self.handler.call, self.handler.describe, self.abort)
        except OSError as exc:
            raise SandboxSetupError(f"cannot create the bridge FIFO: {exc}",
                                    hint="the temporary directory must be writable") from exc
        try:
            self.execution = Execution(
                cache=box.modules,
                argv=["python", "-S", "-B", "-X", "utf8", f"/sre/{BOOT_MODULE}.py"],
                env=[("PYTHONHOME", "/usr/local")],
                preopens=[(box.modules.stdlib_dir(), "/usr"), (box.guest_dir(), "/sre")],
                stdin_path=channel.fifo_path, on_stdout=channel.feed,
                on_stderr=channel.feed_stderr, memory_bytes=box.memory_bytes, wake=channel.wake)
            channel.send({"code": self.code, "inputs": self.inputs, "run_id": self.run_id,
                          "limits": {"stdout": box.limits.stdout, "stderr": box.limits.stderr}})
            stop = threading.Event()
            watchdog = threading.Thread(target=self._watch, args=(stop,), daemon=True,
                                        name=f"mcp-sre-watchdog-{self.run_id}")
            watchdog.start()
            try:
                info = self._run_guest(channel)
            finally:
                # ordered shutdown: the watchdog first, then no late abort, then no callback
                # in flight, then the channel (and the runtime, when this frame returns)
                stop.set()
                watchdog.join(timeout=5)
                with self._abort_lock:
                    self.finished = True
                self.handler.cancelled.set()
            channel.flush_raw()
        finally:
            channel.wake()  # a read still pending in the runtime gets its bytes at once...
            channel.close()  # ...or end-of-file
            if self.execution is not None and not self.execution.released():
                log.error("run %s: the runtime still holds the run's callbacks", self.run_id)
        error = self._classify(info, channel)
        stderr = channel.stderr.text()
        if self.handler.audit_error:
            stderr += f"\n[mcp-sre] {self.handler.audit_error}"
        return RunResult(
            ok=error is None, stdout=channel.stdout.text(), stderr=stderr,
            error=error, calls=self.handler.records, duration_ms=_ms(self.started),
            result=channel.result if channel.result_set else None)

    def _run_guest(self, channel: Channel) -> ExitInfo:
        """The guest's run; a host-side failure becomes a result, never an exception that
        could leave the runtime half torn down."""
        assert self.execution is not None
        try:
            info = self.execution.run()
        except Exception as exc:
            log.exception("run %s: the runtime failed", self.run_id)
            self.abort("sandbox_error", f"the sandbox runtime failed: {type(exc).__name__}: "
                       f"{str(exc)[:300]}")
            info = ExitInfo(trap=str(exc)[:300])
        if not channel.drain(timeout_s=10):
            log.error("run %s: a bridge callback is still running after the guest stopped",
                      self.run_id)
        return info

    def _classify(self, info: ExitInfo, channel: Channel) -> ErrorInfo | None:
        if self.abort_reason is not None:
            return self.abort_reason
        denied = self.handler.denied
        if denied:
            more = f" (and {len(denied) - 1} more refused calls)" if len(denied) > 1 else ""
            return ErrorInfo(type="policy_denied", message=denied[0].reason + more)
        if info.trap is not None:
            if info.memory_bytes >= self.box.memory_bytes - (4 << 20):
                return ErrorInfo(type="memory_limit", message=f"the program hit the memory cap "
                                 f"of {self.box.memory_bytes >> 20} MiB")
            if "stack" in info.trap.lower():
                return ErrorInfo(type="runtime_error",
                                 message="stack overflow (recursion too deep)")
            return ErrorInfo(type="runtime_error", message=f"the interpreter trapped: {info.trap}")
        report = channel.exit
        if report is None:
            if info.code:
                tail = channel.stderr.text().strip().splitlines()[-1:] or [""]
                return ErrorInfo(type="runtime_error", message=f"the interpreter exited with "
                                 f"status {info.code} {tail[0][:300]}".strip())
            return None
        if report.get("status") == "ok":
            return None
        kind = str(report.get("kind"))
        message = str(report.get("msg") or "")
        exc = str(report.get("exc") or "")
        if kind == "memory_limit":
            message = f"the program hit the memory cap of {self.box.memory_bytes >> 20} MiB"
        elif kind not in ("exit", "output_limit"):
            message = f"{exc}: {message}" if exc else message
        if kind == "not_found":
            kind = "validation_error"
        if kind not in _GUEST_KINDS:
            kind = "runtime_error"
        return ErrorInfo(type=kind, message=message[:2000])  # type: ignore[arg-type]


def _layout(root: Path, modules: dict[str, str]) -> None:
    """Write dotted module names as files; a name with children becomes a package.

    When the host runs CPython 3.11 (the guest's version) the modules are also byte-compiled
    (unchecked-hash .pyc), which saves the guest tens of milliseconds per import."""
    names = set(modules)
    for name, source in modules.items():
        parts = name.split(".")
        is_package = any(other.startswith(name + ".") for other in names)
        path = root.joinpath(*parts, "__init__.py") if is_package else \
            root.joinpath(*parts[:-1], parts[-1] + ".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    for directory in [p for p in root.rglob("*") if p.is_dir()]:
        init = directory / "__init__.py"
        if not init.exists():
            init.write_text("", encoding="utf-8")
    if sys.version_info[:2] == (3, 11):
        for path in root.rglob("*.py"):
            if path.stem != BOOT_MODULE:
                py_compile.compile(str(path), doraise=False, quiet=2,
                                   invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 3)
