"""The CPython-on-WASI runtime files and the compiled-module cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import wasmtime as wt

from mcp_sre.sandbox.models import SandboxSetupError
from mcp_sre.sandbox.runtime import ModuleCache, find_runtime, make_config


def test_find_runtime_and_a_clear_error_when_missing(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    files = find_runtime()
    assert files.wasm.suffix == ".wasm" and (files.usr_dir / "local" / "lib").is_dir()
    monkeypatch.setenv("MCP_SRE_PYTHON_WASM", str(tmp_path / "bin" / "python.wasm"))
    with pytest.raises(SandboxSetupError, match="runtime not found") as info:
        find_runtime()
    assert "MCP_SRE_PYTHON_WASM" in (info.value.hint or "")


def test_compiled_module_is_reused_and_a_broken_copy_recompiled(module_dir: Path,
                                                                tmp_path: Path) -> None:
    shared = ModuleCache(module_dir)
    shared.ensure()
    assert shared.ready and shared.path.name.endswith(".cwasm")
    assert isinstance(shared.load(wt.Engine(make_config())), wt.Module)

    own = ModuleCache(tmp_path)
    shutil.copy(shared.path, own.path)
    own.path.write_bytes(own.path.read_bytes()[:4096])  # truncated
    module = own.load(wt.Engine(make_config()))
    assert isinstance(module, wt.Module) and own.path.stat().st_size > 4096


def test_stdlib_is_unpacked_once(tmp_path: Path) -> None:
    cache = ModuleCache(tmp_path)
    first = cache.stdlib_dir()
    assert (first / "local" / "lib" / "python3.11" / "json" / "__init__.pyc").is_file()
    assert ModuleCache(tmp_path).stdlib_dir() == first
    assert not list(tmp_path.glob(".stdlib-*"))  # no staging folder left behind
