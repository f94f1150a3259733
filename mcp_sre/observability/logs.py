"""Structured logs: structlog events as JSON lines (or console text), written off the caller's
thread, with the request/run ids attached and secrets masked.

Rendering happens in the calling thread (cheap); the write happens in one background thread
fed by a queue, so a slow disk or pipe never blocks the event loop. Logs go to stderr or a
file, never to stdout (the stdio transport's protocol channel). A file that cannot be opened
or written falls back to stderr with one warning.
"""

from __future__ import annotations

import atexit
import functools
import logging
import queue
import re
import sys
import threading
from pathlib import Path
from typing import IO, Any, Literal

import structlog

from mcp_sre.observability.context import current_ids

__all__ = ["LogSink", "configure_logging", "get_logger", "redact_secrets"]

Format = Literal["json", "console"]
_LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40, "critical": 50}
_SECRET_KEY = re.compile(
    r"pass(word|phrase|wd)?|secret|token|credential|private_?key|api_?key|"
    r"access_?key|session_?key|authorization|cookie",
    re.IGNORECASE,
)
_NOT_SECRET_KEY = re.compile(r"(next|pagination|continuation|starting|page)_?token", re.IGNORECASE)
_SECRET_VALUE = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)"
    r"|\b(AKIA|ASIA)[0-9A-Z]{16}\b"
    r"|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"
    r"|\bsk-[A-Za-z0-9_-]{16,}"
    r"|(?i:\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}"
    r"|(?i:\b(password|passwd|secret|token|api[_-]?key|secret[_-]?access[_-]?key)"
    r"\s*[=:]\s*)[^\s,;&\"']+"
)
_MASK = "***"


_TRIGGER = re.compile(r"BEGIN|AKIA|ASIA|eyJ|sk-|[Bb]earer|BEARER|[=:]")


def _mask_text(text: str) -> str:
    if not _TRIGGER.search(text):  # the common case: nothing that could hide a secret
        return text

    def repl(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole[:1].lower() in "bpsta" and re.match(
            r"(?i)(bearer|password|passwd|secret|"
            r"token|api)",
            whole,
        ):
            cut = re.match(r"[^=:\s]*\s*[=:\s]\s*", whole)
            return (cut.group(0) if cut else "") + _MASK
        return _MASK

    return _SECRET_VALUE.sub(repl, text)


@functools.lru_cache(maxsize=4096)
def _secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key)) and not _NOT_SECRET_KEY.search(key)


def redact_secrets(value: Any, depth: int = 0) -> Any:
    """A copy of ``value`` with secret-named fields and secret-looking strings masked."""
    if isinstance(value, str):
        return _mask_text(value) if len(value) >= 8 else value
    if depth > 6 or value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {
            k: _MASK
            if isinstance(k, str)
            and _secret_key(k)
            and not isinstance(v, bool | int | float | dict | None)
            else redact_secrets(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_secrets(v, depth + 1) for v in value]
    return value


def _redact(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    return redact_secrets(event)


def _add_ids(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    for key, value in current_ids().items():
        event.setdefault(key, value)
    return event


class LogSink:
    """Lines in, written by one daemon thread to a stream or file; never blocks the caller."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._target: IO[str] = sys.stderr
        self._owned: IO[str] | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.level = 20
        self.warnings: list[str] = []

    def retarget(self, stream: IO[str] | None, file: Path | None) -> str | None:
        """Write to ``file`` (appending) or ``stream``; returns a warning when the file cannot
        be opened (the sink then writes to stderr)."""
        self.flush()
        problem = None
        target: IO[str] = stream or sys.stderr
        if target is sys.stdout or (getattr(target, "fileno", None) and _is_fd1(target)):
            target = sys.stderr  # stdout is the stdio transport's protocol channel
        owned = None
        if file is not None:
            try:
                file.parent.mkdir(parents=True, exist_ok=True)
                owned = open(file, "a", encoding="utf-8", buffering=1)  # noqa: SIM115
                target = owned
            except OSError as exc:
                problem = (
                    f"log file {file} cannot be written ({exc.strerror or exc}); logging to stderr"
                )
                target = sys.stderr
        with self._lock:
            old, self._owned, self._target = self._owned, owned, target
        if old is not None:
            old.close()
        return problem

    def write(self, line: str) -> None:
        if self._thread is None:
            self._start()
        self._queue.put(line)

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._drain, name="mcp-sre-logs", daemon=True
                )
                self._thread.start()

    def _drain(self) -> None:
        while True:
            line = self._queue.get()
            if line is None:
                continue
            if isinstance(line, threading.Event):
                line.set()
                continue
            with self._lock:
                target = self._target
            try:
                target.write(line + "\n")
                target.flush()
            except (OSError, ValueError) as exc:  # disk full, closed file: fall back once
                if target is not sys.stderr:
                    with self._lock:
                        self._target = sys.stderr
                    sys.stderr.write(f"mcp-sre: log writes failed ({exc}); logging to stderr\n")
                    sys.stderr.write(line + "\n")

    def flush(self, timeout: float = 2.0) -> None:
        """Wait until every queued line is written (shutdown, tests)."""
        if self._thread is None:
            return
        done = threading.Event()
        self._queue.put(done)  # type: ignore[arg-type]
        done.wait(timeout)


def _is_fd1(stream: Any) -> bool:
    try:
        return stream.fileno() == 1
    except (OSError, ValueError, AttributeError):
        return False


class _SinkLogger:
    """What structlog calls with the rendered line."""

    __slots__ = ("sink",)

    def __init__(self, sink: LogSink) -> None:
        self.sink = sink

    def msg(self, message: str) -> None:
        self.sink.write(message)

    debug = info = warning = warn = error = critical = exception = fatal = log = msg


SINK = LogSink()
atexit.register(SINK.flush)


class _Renderer:
    """JSON or console rendering, switchable without rebuilding cached loggers."""

    def __init__(self) -> None:
        self.set("json")

    def set(self, fmt: Format) -> None:
        self.format = fmt
        self._render = (
            structlog.processors.JSONRenderer(ensure_ascii=False, default=str)
            if fmt == "json"
            else structlog.dev.ConsoleRenderer(colors=False)
        )

    def __call__(self, logger: Any, method: str, event: dict[str, Any]) -> Any:
        return self._render(logger, method, event)


def _level_filter(_: Any, method: str, event: dict[str, Any]) -> dict[str, Any]:
    if _LEVELS.get(method, 20) < SINK.level:
        raise structlog.DropEvent
    return event


_RENDERER = _Renderer()
_PRE_CHAIN: list[Any] = [
    _redact,  # before the ids and the timestamp: they hold no secrets
    structlog.processors.add_log_level,
    _add_ids,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]
structlog.configure(  # at import: events never reach stdout, even before configure_logging
    processors=[_level_filter, *_PRE_CHAIN, structlog.processors.format_exc_info, _RENDERER],
    logger_factory=lambda *_: _SinkLogger(SINK),
    wrapper_class=structlog.BoundLogger,
    cache_logger_on_first_use=True,
)
SINK.level = 30
_stdlib_handler: logging.Handler | None = None


def configure_logging(
    *,
    fmt: Format = "json",
    level: str = "info",
    file: Path | None = None,
    stream: IO[str] | None = None,
    stdlib: bool = True,
) -> str | None:
    """Set the format, level and destination of this process's logs; with ``stdlib`` the
    ``mcp_sre.*`` standard-library loggers are rendered the same way (and stop propagating to
    the root logger). Returns a warning when the log file could not be opened (logs then go
    to stderr)."""
    global _stdlib_handler
    SINK.level = _LEVELS.get(str(level).lower(), 20)
    _RENDERER.set(fmt)
    problem = SINK.retarget(stream, file)
    if stdlib and _stdlib_handler is None:
        handler = logging.StreamHandler(_SinkStream())  # type: ignore[arg-type]
        handler.setFormatter(
            structlog.stdlib.ProcessorFormatter(
                processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, _RENDERER],
                foreign_pre_chain=[structlog.stdlib.add_logger_name, *_PRE_CHAIN],
            )
        )
        root = logging.getLogger("mcp_sre")
        root.addHandler(handler)
        root.propagate = False
        root.setLevel(SINK.level)
        _stdlib_handler = handler
    if problem:
        get_logger("mcp_sre.observability").warning("log_file_unwritable", detail=problem)
    return problem


class _SinkStream:
    """A file-like object for the stdlib handler that forwards to the sink."""

    def write(self, text: str) -> None:
        text = text.rstrip("\n")
        if text:
            SINK.write(text)

    def flush(self) -> None:
        pass


def get_logger(name: str = "mcp_sre", **bound: Any) -> Any:
    return structlog.get_logger(name, **bound)
