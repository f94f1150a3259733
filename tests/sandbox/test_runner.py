"""The Sandbox API: results, errors, inputs, the compiled-module cache."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mcp_sre.config import load_settings
from mcp_sre.errors import PolicyDeniedError, ValidationError
from mcp_sre.sandbox import (
    RunResult,
    RuntimeCrashError,
    Sandbox,
    SandboxTimeoutError,
    StaticCheckError,
)
from mcp_sre.sandbox.runtime import ModuleCache


def test_stdout_stderr_and_result(sandbox: Sandbox) -> None:
    code = """
import sys, datetime
print("héllo ✓")
print("warning", file=sys.stderr)
sre.result({"when": datetime.datetime(2026, 1, 2, 3, 4, 5), "n": [1, 2.5, None, True],
            "inputs": sre.inputs})
"""
    result = sandbox.run(code, inputs={"cluster": "shop"})
    assert result.ok and result.error is None
    assert result.stdout == "héllo ✓\n"
    assert result.stderr == "warning\n"
    assert result.result == {"when": "2026-01-02T03:04:05", "n": [1, 2.5, None, True],
                             "inputs": {"cluster": "shop"}}
    assert result.calls == [] and result.duration_ms > 0
    assert result.raise_for_error() is result


def test_output_before_a_failure_is_kept(sandbox: Sandbox) -> None:
    result = sandbox.run("print('step 1')\nraise KeyError('missing-key')")
    assert not result.ok
    assert result.stdout == "step 1\n"
    assert result.error is not None and result.error.type == "runtime_error"
    assert result.error.message == "KeyError: 'missing-key'"
    assert 'File "<sandbox>", line 2, in <module>' in result.stderr
    assert "raise KeyError('missing-key')" in result.stderr  # the source line is shown
    assert "_sre_boot" not in result.stderr
    with pytest.raises(RuntimeCrashError, match="missing-key"):
        result.raise_for_error()


@pytest.mark.parametrize(("code", "ok", "message"), [
    ("import sys\nsys.exit(0)", True, None),
    ("import sys\nsys.exit()", True, None),
    ("import sys\nsys.exit(3)", False, "exited with status 3"),
])
def test_exit_status(sandbox: Sandbox, code: str, ok: bool, message: str | None) -> None:
    result = sandbox.run(code)
    assert result.ok is ok
    if message:
        assert result.error is not None and result.error.message == message


def test_static_check_rejects_before_running(sandbox: Sandbox) -> None:
    result = sandbox.run("print('ran')\nimport subprocess\neval('1')")
    assert result.error is not None and result.error.type == "static_check"
    assert result.stdout == ""
    assert "line 2: import of 'subprocess'" in result.error.message
    assert "line 3: eval()" in result.error.message
    with pytest.raises(StaticCheckError):
        result.raise_for_error()


def test_syntax_error_is_a_static_check(sandbox: Sandbox) -> None:
    result = sandbox.run("def broken(:\n  pass")
    assert result.error is not None and result.error.type == "static_check"
    assert "line 1: syntax error" in result.error.message


def test_empty_stdin_and_no_input(sandbox: Sandbox) -> None:
    result = sandbox.run("import sys\nprint(repr(sys.stdin.read()))")
    assert result.ok and result.stdout == "''\n"


def test_bad_arguments_raise_typed_errors(sandbox: Sandbox) -> None:
    with pytest.raises(ValidationError, match="timeout_s"):
        sandbox.run("pass", timeout_s=0)
    with pytest.raises(ValidationError, match="inputs must be JSON"):
        sandbox.run("pass", inputs={"x": object()})
    with pytest.raises(ValidationError):
        sandbox.run(b"print(1)")  # type: ignore[arg-type]


def test_result_types_map_to_exceptions() -> None:
    denied = RunResult.model_validate(
        {"ok": False, "error": {"type": "policy_denied", "message": "no"}})
    with pytest.raises(PolicyDeniedError):
        denied.raise_for_error()
    timeout = RunResult.model_validate({"ok": False, "error": {"type": "timeout", "message": "t"}})
    with pytest.raises(SandboxTimeoutError):
        timeout.raise_for_error()


def test_result_too_large_is_an_output_error(sandbox: Sandbox) -> None:
    result = sandbox.run("sre.result('x' * 2_000_000)")
    assert result.error is not None and result.error.type == "output_limit"
    assert result.result is None


def test_compiled_module_is_reused(module_dir: Path, tmp_path: Path, plugin_manager) -> None:
    cache = ModuleCache(module_dir)
    assert cache.ready and cache.path.stat().st_size > 1_000_000
    assert "wasmtime" in cache.path.name and cache.path.suffix == ".cwasm"
    before = cache.path.stat().st_mtime_ns
    box = Sandbox(load_settings(home=tmp_path / "fresh-home"), plugin_manager,
                  operation_lookup=lambda op: None, module_dir=module_dir)  # type: ignore[arg-type,return-value]
    started = time.monotonic()
    result = box.run("print('cold')")
    assert result.ok and result.stdout == "cold\n"
    assert time.monotonic() - started < 3  # no recompilation: the module is deserialized
    assert cache.path.stat().st_mtime_ns == before


@pytest.mark.slow
def test_corrupt_module_cache_is_rebuilt(tmp_path: Path, plugin_manager) -> None:
    cache = ModuleCache(tmp_path / "wasm")
    cache.cache_dir.mkdir(parents=True)
    cache.path.write_bytes(b"not a compiled module")
    box = Sandbox(load_settings(home=tmp_path / "home"), plugin_manager,
                  operation_lookup=lambda op: None,  # type: ignore[arg-type,return-value]
                  module_dir=cache.cache_dir)
    result = box.run("print(6 * 7)")
    assert result.ok and result.stdout == "42\n"
    assert cache.path.stat().st_size > 1_000_000
    assert not list(cache.cache_dir.glob("*.tmp"))
