"""The wire between guest and host: JSON lines up, length-framed chunks down.

Guest -> host: the guest's WASI stdout (fd 1) reaches :meth:`Channel.feed` through a wasmtime
callback, synchronously, in the thread that runs the guest. Each line is one JSON message:

* ``{"t": "out", "s": "stdout"|"stderr", "d": text}`` -- program output (counted, capped);
* ``{"t": "call", "id": n, "op": id, "params": {...}, "ctx": {...}}`` -- a bridged call;
* ``{"t": "describe", "id": n, "op": id}`` -- an operation's parameters and pagination;
* ``{"t": "more"}`` -- send the next chunk of a long reply;
* ``{"t": "result", "v": value}`` and ``{"t": "exit", ...}`` -- the program's outcome.

Anything else on fd 1 (``os.write(1, ...)``) counts as raw stdout. Raw writes to fd 2 go to
:meth:`Channel.feed_stderr`. A request (``call``/``describe``) line that cannot be parsed or is
longer than ``Limits.request`` gets an error reply at once, so the guest never waits for a reply
that will not come (only the head and tail of an oversized line are kept).

Host -> guest: a FIFO given to WASI as stdin. Replies (``marshal`` data) are framed as
``b"<len> <more>\\n"`` plus ``len`` bytes, each chunk smaller than the pipe buffer, so the host never blocks writing: the
guest asks for each further chunk with ``more``. The host opens the FIFO ``O_RDWR`` before WASI
opens it (an ``O_RDONLY`` open of a FIFO would otherwise wait for a writer).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import marshal
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Channel", "Limits", "ProtocolError"]

_F_SETPIPE_SZ, _F_GETPIPE_SZ = 1031, 1032
_REQUEST = (b'{"t":"call"', b'{"t":"describe"', b'{"t": "call"', b'{"t": "describe"')
_TRAILING_ID = re.compile(rb'"id"\s*:\s*(\d{1,18})\s*}\s*\Z')
_KEEP = 256  # bytes kept of each end of an oversized line


class ProtocolError(Exception):
    """The guest broke the framing (or stopped reading); the run is aborted."""


@dataclass(frozen=True)
class Limits:
    """Output caps in characters (stdout, stderr) and bytes (result, one reply, one request
    line from the guest)."""

    stdout: int = 1 << 20
    stderr: int = 256 << 10
    result: int = 1 << 20
    reply: int = 32 << 20
    request: int = 1 << 20


@dataclass
class _Stream:
    cap: int
    parts: list[str] = field(default_factory=list)
    size: int = 0
    exceeded: bool = False

    def add(self, text: str) -> bool:
        """Keep what fits; return False once the cap is exceeded."""
        if self.exceeded:
            return False
        room = self.cap - self.size
        if len(text) > room:
            self.parts.append(text[:room])
            self.size = self.cap
            self.exceeded = True
            return False
        self.parts.append(text)
        self.size += len(text)
        return True

    def text(self) -> str:
        joined = "".join(self.parts)
        return joined + (f"\n[output truncated at {self.cap} characters]" if self.exceeded else "")


Handler = Callable[[dict[str, Any]], dict[str, Any] | bytes]


class Channel:
    """Per-run message router. ``handle_call``/``handle_describe`` return reply dicts."""

    def __init__(self, limits: Limits, handle_call: Handler, handle_describe: Handler,
                 on_abort: Callable[[str, str], None]) -> None:
        self.limits = limits
        self.handle_call = handle_call
        self.handle_describe = handle_describe
        self.on_abort = on_abort
        self.stdout = _Stream(limits.stdout)
        self.stderr = _Stream(limits.stderr)
        self.result: Any = None
        self.result_set = False
        self.exit: dict[str, Any] | None = None
        self._line = bytearray()
        self._dropped = 0  # bytes dropped from the middle of the current (oversized) line
        self._pending = b""
        # feed may be called from a runtime thread; one line at a time, and close() waits
        # for a callback in flight (the runtime must not outlive what it calls back into)
        self._feeding = threading.RLock()
        self._fd_lock = threading.Lock()
        self._closed = False
        self._dir = tempfile.mkdtemp(prefix="mcp-sre-run-")
        self.fifo_path = os.path.join(self._dir, "stdin")
        os.mkfifo(self.fifo_path, 0o600)
        self._fd = os.open(self.fifo_path, os.O_RDWR | os.O_NONBLOCK)
        with contextlib.suppress(OSError):
            fcntl.fcntl(self._fd, _F_SETPIPE_SZ, 1 << 20)
        self.chunk = max(4096, fcntl.fcntl(self._fd, _F_GETPIPE_SZ) - 64)

    # ----------------------------------------------------------- host -> guest
    def send(self, message: dict[str, Any] | bytes) -> None:
        """Queue a reply (plain data, or already marshalled) and write its first chunk.

        Replies are ``marshal``-encoded: the guest decodes them with a built-in instead of
        importing ``json`` (which would double its start-up time). Only the host encodes
        marshal data; what the guest sends is parsed as JSON."""
        self._pending = message if isinstance(message, bytes) else marshal.dumps(message, 4)
        self._write_chunk()

    def _write_chunk(self) -> None:
        chunk, self._pending = self._pending[: self.chunk], self._pending[self.chunk:]
        frame = b"%d %d\n" % (len(chunk), 1 if self._pending else 0) + chunk
        with self._fd_lock:
            if self._closed:
                raise ProtocolError("the run is over")
            try:
                written = os.write(self._fd, frame)
            except BlockingIOError:
                written = 0
        if written != len(frame):
            raise ProtocolError("the guest stopped reading its replies")

    def wake(self) -> None:
        """Unblock a guest waiting on stdin (used when interrupting it). After :meth:`close`
        it does nothing: the descriptor number may already belong to another run."""
        with self._fd_lock:
            if not self._closed:
                with contextlib.suppress(OSError):
                    os.write(self._fd, b"0 0\n")

    def drain(self, timeout_s: float = 10.0) -> bool:
        """Wait until no callback is in flight; False if one still runs after ``timeout_s``."""
        if self._feeding.acquire(timeout=timeout_s):
            self._feeding.release()
            return True
        return False

    def close(self) -> None:
        self.drain()
        with self._fd_lock:
            if not self._closed:
                self._closed = True
                with contextlib.suppress(OSError):
                    os.close(self._fd)
        shutil.rmtree(self._dir, ignore_errors=True)

    # ----------------------------------------------------------- guest -> host
    def feed_stderr(self, data: bytes) -> int:
        """WASI stderr callback: raw text (interpreter start-up errors, C-level messages)."""
        try:
            if not self.stderr.add(data.decode("utf-8", "replace")):
                self._abort("output_limit", f"stderr exceeded {self.limits.stderr} characters")
        except BaseException as exc:  # nothing may cross back into the runtime
            self._abort("sandbox_error", f"host bridge failed: {type(exc).__name__}: {exc}")
        return len(data)

    def feed(self, data: bytes) -> int:
        """WASI stdout callback. Never raises (nothing may cross back into the runtime):
        wasmtime only sees the returned count."""
        try:
            with self._feeding:
                self._feed(data)
        except ProtocolError as exc:
            self._abort("sandbox_error", f"bridge protocol violation: {exc}")
        except BaseException as exc:  # a host bug must surface as a result, not a crash
            self._abort("sandbox_error", f"host bridge failed: {type(exc).__name__}: {exc}")
        return len(data)

    def _abort(self, kind: str, message: str) -> None:
        with contextlib.suppress(BaseException):
            self.on_abort(kind, message[:2000])

    def _feed(self, data: bytes) -> None:
        start = 0
        while True:
            end = data.find(b"\n", start)
            piece = data[start:] if end < 0 else data[start:end]
            self._append(piece)
            if end < 0:
                return
            line = bytes(self._line)
            dropped, self._line, self._dropped = self._dropped, bytearray(), 0
            if dropped:
                self._oversized(line, dropped)
            else:
                self._dispatch(line)
            start = end + 1

    def _append(self, piece: bytes) -> None:
        """Add to the current line. Past ``Limits.request`` a request keeps only its head and
        tail (to be refused when it ends); anything else is raw output, counted as such."""
        self._line += piece
        if len(self._line) > self.limits.request:
            if self._dropped or self._line.startswith(_REQUEST):
                keep = bytes(self._line[:_KEEP]), bytes(self._line[-_KEEP:])
                self._dropped += len(self._line) - 2 * _KEEP
                self._line = bytearray(keep[0] + keep[1])
            else:
                self._raw(bytes(self._line))
                self._line.clear()

    def _oversized(self, line: bytes, dropped: int) -> None:
        size = len(line) + dropped
        if line.startswith(_REQUEST):
            self._refuse(line, f"a bridge request of {size} bytes is over the "
                         f"{self.limits.request}-byte limit; send smaller parameters")
        else:
            self._raw(line[:_KEEP] + b" [... %d bytes ...] " % dropped + line[_KEEP:])

    def _refuse(self, line: bytes, message: str) -> None:
        """Answer a request the host cannot read, at once (the guest is waiting for it)."""
        found = _TRAILING_ID.search(line[-64:])
        msg_id = int(found.group(1)) if found else None
        self.send({"id": msg_id, "ok": False,
                   "error": {"kind": "validation_error", "message": message}})

    def flush_raw(self) -> None:
        """After the guest stopped: a last line without newline is raw output."""
        with self._feeding:
            if self._line:
                self._raw(bytes(self._line))
                self._line.clear()

    def _raw(self, line: bytes) -> None:
        self._out("stdout", line.decode("utf-8", "replace") + "\n")

    def _out(self, stream: str, text: str) -> None:
        target = self.stderr if stream == "stderr" else self.stdout
        if not target.add(text):
            cap = self.limits.stderr if target is self.stderr else self.limits.stdout
            self.on_abort("output_limit", f"{stream} exceeded {cap} characters")

    def _dispatch(self, line: bytes) -> None:
        msg: Any = None
        if line.startswith(b'{"t":'):
            with contextlib.suppress(ValueError, RecursionError):
                msg = json.loads(line)
        if not isinstance(msg, dict):
            if line.startswith(_REQUEST):  # e.g. a 5,000-digit integer, broken escapes
                self._refuse(line, "the bridge request is not valid JSON (integers over 4300 "
                             "digits, NaN keys and broken escapes cannot be read)")
            else:
                self._raw(line)
            return
        kind = msg.get("t")
        if kind == "out":
            self._out(str(msg.get("s")), str(msg.get("d", "")))
        elif kind == "more":
            if not self._pending:
                raise ProtocolError("'more' requested with nothing pending")
            self._write_chunk()
        elif kind == "call":
            self.send(self.handle_call(msg))
        elif kind == "describe":
            self.send(self.handle_describe(msg))
        elif kind == "result":
            self._set_result(msg.get("v"), len(line))
        elif kind == "exit":
            self.exit = msg
        else:
            self._raw(line)

    def _set_result(self, value: Any, size: int) -> None:
        if size > self.limits.result:
            self.on_abort("output_limit", f"sre.result() value is {size} bytes, over the "
                          f"{self.limits.result}-byte limit; return a summary instead")
            return
        self.result, self.result_set = value, True
