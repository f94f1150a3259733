"""Escape attempts fail with typed errors and the host stays healthy.

Each attack is tried twice where it applies: as written (the static check refuses it) and
disguised so that the static check cannot see it (the WebAssembly sandbox stops it). The
disguise reaches ``__import__`` through computed names, which no AST scan can follow.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path

import pytest

from mcp_sre.sandbox import Sandbox

DISGUISED_IMPORT = (
    "import sys\n"
    "_modules = getattr(sys, ''.join(['mod', 'ules']))\n"
    "_imp = getattr(_modules['builtins'], ''.join(['__imp', 'ort__']))\n"
)


def _healthy(sandbox: Sandbox) -> None:
    result = sandbox.run("print(sum(range(10)))", timeout_s=10)
    assert result.ok and result.stdout == "45\n"


@pytest.fixture(autouse=True)
def host_stays_healthy(sandbox: Sandbox):
    threads = threading.active_count()
    yield
    _healthy(sandbox)
    assert threading.active_count() <= threads + 8  # bridge pool at most; no leak per run


def test_read_etc_passwd(sandbox: Sandbox) -> None:
    for path in ("/etc/passwd", "/usr/../etc/passwd", "../../../../etc/passwd"):
        result = sandbox.run(f"print(open({path!r}).read())")
        assert result.error is not None and result.error.type == "runtime_error"
        assert "root:" not in result.stdout
        assert "Error" in result.error.message  # PermissionError / FileNotFoundError
    listing = sandbox.run("import os\nprint(os.listdir('/'))")
    assert listing.error is not None and "PermissionError" in listing.error.message


def test_write_a_file(sandbox: Sandbox, tmp_path: Path) -> None:
    target = tmp_path / f"pwned-{uuid.uuid4().hex}"
    plain = sandbox.run(f"open({str(target)!r}, 'w').write('x')")
    assert plain.error is not None and plain.error.type == "static_check"
    assert "read-only" in plain.error.message and "line 1" in plain.error.message

    disguised = sandbox.run(f"import io\nio.FileIO({str(target)!r}, 'w')")
    assert disguised.error is not None and disguised.error.type == "runtime_error"
    guest_dir = sandbox.guest_dir()
    into_guest = sandbox.run("import io\nio.FileIO('/sre/sre.py', 'w').write(b'pwned')")
    assert into_guest.error is not None and "PermissionError" in into_guest.error.message
    assert not target.exists()
    assert "pwned" not in (guest_dir / "sre.py").read_text()


def test_open_a_socket(sandbox: Sandbox) -> None:
    plain = sandbox.run("import socket\nsocket.create_connection(('127.0.0.1', 22))")
    assert plain.error is not None and plain.error.type == "static_check"
    assert "'socket' is not allowed" in plain.error.message

    disguised = sandbox.run(DISGUISED_IMPORT + "_imp('socket').socket().connect(('1.1.1.1', 80))")
    assert disguised.error is not None and disguised.error.type == "runtime_error"
    assert "Not supported" in disguised.error.message


def test_start_a_subprocess(sandbox: Sandbox) -> None:
    plain = sandbox.run("import subprocess\nsubprocess.run(['id'])")
    assert plain.error is not None and plain.error.type == "static_check"
    assert sandbox.run("import os\nos.system('id')").error.type == "static_check"

    disguised = sandbox.run(DISGUISED_IMPORT + "_imp('subprocess').run(['id'])")
    assert disguised.error is not None and disguised.error.type == "runtime_error"
    assert "does not support processes" in disguised.error.message
    via_os = sandbox.run("import os\ngetattr(os, ''.join(['sys', 'tem']))('id')")
    assert via_os.error is not None and "AttributeError" in via_os.error.message


def test_import_ctypes(sandbox: Sandbox) -> None:
    plain = sandbox.run("import ctypes")
    assert plain.error is not None and plain.error.type == "static_check"
    disguised = sandbox.run(DISGUISED_IMPORT + "_imp('ctypes')")
    assert disguised.error is not None and disguised.error.type == "runtime_error"
    assert "No module named 'ctypes'" in disguised.error.message


def test_infinite_loop_times_out(sandbox: Sandbox) -> None:
    started = time.monotonic()
    result = sandbox.run("while True:\n    pass", timeout_s=1)
    elapsed = time.monotonic() - started
    assert result.error is not None and result.error.type == "timeout"
    assert 0.9 < elapsed < 5


@pytest.mark.parametrize("code", [
    "import time\ntime.sleep(3600)",  # sleeps wait on the watchdog, not on the clock
    "import os\nos.read(0, 10)\nos.read(0, 10)",  # a blocked stdin read is woken up
])
def test_blocking_calls_time_out(sandbox: Sandbox, code: str) -> None:
    started = time.monotonic()
    result = sandbox.run(code, timeout_s=1)
    assert result.error is not None and result.error.type == "timeout"
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("code", [
    "x = bytearray(1 << 30)",
    "chunks = []\nwhile True:\n    chunks.append('x' * 10**6)",
])
def test_memory_bomb_hits_the_cap(sandbox: Sandbox, code: str) -> None:
    result = sandbox.run(code, timeout_s=20)
    assert result.error is not None and result.error.type == "memory_limit"
    assert "256 MiB" in result.error.message


def test_huge_print_hits_the_output_cap(sandbox: Sandbox) -> None:
    started = time.monotonic()
    result = sandbox.run("print('x' * 100_000_000)", timeout_s=20)
    assert result.error is not None and result.error.type == "output_limit"
    cap = sandbox.limits.stdout
    assert result.stdout.startswith("x" * cap)
    assert len(result.stdout) < cap + 100 and "truncated" in result.stdout
    assert time.monotonic() - started < 10


def test_raw_descriptor_flood_hits_the_cap(sandbox: Sandbox) -> None:
    """Writing to fd 1/2 directly bypasses the guest's stream caps; the host's still hold."""
    for fd, stream in ((1, "stdout"), (2, "stderr")):
        code = ("import os\nw = getattr(os, ''.join(['wri', 'te']))\n"
                f"while True:\n    w({fd}, b'y' * 65536)")
        result = sandbox.run(code, timeout_s=20)
        assert result.error is not None and result.error.type == "output_limit"
        assert stream in result.error.message


def test_deep_recursion(sandbox: Sandbox) -> None:
    result = sandbox.run("def f(n):\n    return f(n + 1)\nf(0)")
    assert result.error is not None and result.error.type == "runtime_error"
    assert "RecursionError" in result.error.message
    unbounded = sandbox.run("import sys\nsys.setrecursionlimit(10**6)\n"
                            "def f(n):\n    return f(n + 1)\nf(0)", timeout_s=2)
    assert unbounded.error is not None
    assert unbounded.error.type in ("runtime_error", "timeout")


def test_environment_and_credentials_stay_on_the_host(sandbox: Sandbox,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "host-secret-value")
    result = sandbox.run("import os, sys\nprint(sorted(os.environ), sys.argv)")
    assert result.ok
    assert result.stdout == "['PYTHONHOME'] ['<sandbox>']\n"
    assert "host-secret-value" not in result.stdout
    assert "AWS_SECRET_ACCESS_KEY" in os.environ  # the host's own environment is untouched


def test_concurrent_runs_are_isolated(sandbox: Sandbox) -> None:
    """Interrupting one run (its own engine) does not disturb another."""
    results: dict[str, object] = {}

    def go(name: str, code: str, timeout_s: float) -> None:
        results[name] = sandbox.run(code, timeout_s=timeout_s)

    looping = threading.Thread(target=go, args=("loop", "while True: pass", 1))
    working = threading.Thread(target=go, args=(
        "work", "import time\ntotal = 0\nfor i in range(5):\n    time.sleep(0.3)\n"
        "    total += i\nprint(total)", 10))
    looping.start()
    working.start()
    looping.join()
    working.join()
    assert results["loop"].error.type == "timeout"  # type: ignore[attr-defined]
    assert results["work"].ok and results["work"].stdout == "10\n"  # type: ignore[attr-defined]
