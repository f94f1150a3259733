"""Compile one ``.proto`` file into a ``FileDescriptorSet`` with ``grpc_tools.protoc``.

protoc runs in a subprocess (its errors go to a C-level stderr we could not capture in-process)
inside a temporary directory. Include paths, in order: the caller's own, the vendored googleapis
protos shipped with this plugin (``vendor/``: google/api annotations, http, client, field
behaviour, resource, routing, ...; google/rpc status and code), and grpc_tools' bundled
well-known types (``google/protobuf/*.proto``).

Any other missing import is handled in one of two ways:

* ``stub_missing_imports=True`` (the default): each missing file is replaced by a stub that
  declares, as empty messages, exactly the names protoc reported as undefined. The stubbed types
  then show up as opaque objects (``x-proto-stub``) in the JSON schemas, and the stubbed files and
  names are returned so the caller can say so. This is only done when protoc's complaints are all
  of the two kinds a missing file causes (file not found, name not defined) and every name can be
  placed in a package that one of the missing files plausibly declares; anything else (a missing
  custom option, a typo with no missing import) stays an error.
* ``stub_missing_imports=False``: a :class:`SpecParseError` naming the missing files.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from google.protobuf import descriptor_pb2

from mcp_sre.errors import SpecParseError

__all__ = ["VENDOR_DIR", "CompiledProto", "compile_proto", "well_known_dir"]

VENDOR_DIR = Path(__file__).parent / "vendor"
PROTOC_TIMEOUT_S = 60.0
_MAX_STUB_ROUNDS = 3

_NOT_FOUND = re.compile(r"^(?P<file>[^:\s]+\.proto): File not found\.\s*$")
_IMPORT_FAILED = re.compile(r'Import "(?P<file>[^"]+)" was not found or had errors\.')
_UNDEFINED = re.compile(r'"(?P<name>\.?[A-Za-z_][\w.]*)" is not defined\.')


@dataclass
class CompiledProto:
    """What protoc produced for one source file."""

    files: descriptor_pb2.FileDescriptorSet
    main: descriptor_pb2.FileDescriptorProto
    stubs: dict[str, list[str]] = field(default_factory=dict)  # missing file -> stubbed names


def well_known_dir() -> Path:
    """grpc_tools' bundled ``google/protobuf/*.proto`` directory."""
    import grpc_tools

    return Path(grpc_tools.__file__).parent / "_proto"


def _run_protoc(workdir: Path, main_name: str, includes: list[Path]) -> tuple[int, str, bytes]:
    out = workdir / "descriptor_set.pb"
    args = [sys.executable, "-m", "grpc_tools.protoc", f"-I{workdir / 'src'}"]
    args += [f"-I{p}" for p in includes]
    args += ["--include_imports", "--include_source_info", f"--descriptor_set_out={out}", main_name]
    proc = subprocess.run(
        args,
        cwd=workdir / "src",
        capture_output=True,
        timeout=PROTOC_TIMEOUT_S,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    err = proc.stderr.decode("utf-8", "replace").strip()
    data = out.read_bytes() if proc.returncode == 0 and out.is_file() else b""
    return proc.returncode, err, data


def _missing_files(err: str) -> list[str]:
    """Imports protoc could not find (not ones it found but could not compile)."""
    found: list[str] = []
    for line in err.splitlines():
        m = _NOT_FOUND.match(line.strip())
        if m and m.group("file") not in found:
            found.append(m.group("file"))
    return found


def _only_missing_import_errors(err: str) -> bool:
    for line in err.splitlines():
        line = line.strip()
        if not line or line.startswith("warning:") or ": warning:" in line:
            continue
        if _NOT_FOUND.match(line) or _IMPORT_FAILED.search(line) or _UNDEFINED.search(line):
            continue
        return False
    return True


def _package_of(import_path: str) -> str:
    """googleapis convention: ``google/pubsub/v1/schema.proto`` declares ``google.pubsub.v1``."""
    return ".".join(import_path.split("/")[:-1])


def _place(name: str, file_package: str, packages: dict[str, list[str]]) -> tuple[str, str] | None:
    """Return (missing file, relative nested name) for an undefined ``name``, or ``None``."""
    name = name.lstrip(".")
    for pkg in sorted(packages, key=len, reverse=True):  # fully qualified: google.type.Date
        if pkg and name.startswith(pkg + "."):
            return _best_file(packages[pkg], name[len(pkg) + 1 :]), name[len(pkg) + 1 :]
    scope = file_package.split(".") if file_package else []
    while scope:  # relative: resolved in the importing file's package or an enclosing one
        pkg = ".".join(scope)
        if pkg in packages:
            return _best_file(packages[pkg], name), name
        scope.pop()
    return None


def _best_file(paths: list[str], name: str) -> str:
    """Among files of one package, the one named after the type (``TimeOfDay`` ->
    ``timeofday.proto``, ``MetricDescriptor`` -> ``metric.proto``); else the first."""
    wanted = name.split(".")[0].lower()
    for path in paths:
        stem = path.rsplit("/", 1)[-1].removesuffix(".proto").replace("_", "").lower()
        if stem and wanted.startswith(stem):
            return path
    return paths[0]


def _stub_source(package: str, names: list[str]) -> str:
    tree: dict[str, dict] = {}
    for name in names:
        node = tree
        for part in name.split("."):
            node = node.setdefault(part, {})

    def render(node: dict[str, dict], indent: str) -> list[str]:
        lines: list[str] = []
        for part, children in sorted(node.items()):
            lines.append(f"{indent}message {part} {{")
            lines += render(children, indent + "  ")
            lines.append(f"{indent}}}")
        return lines

    head = ['syntax = "proto3";', "// Stub written by mcp-sre: the real file was not available."]
    if package:
        head.append(f"package {package};")
    return "\n".join([*head, *render(tree, "")]) + "\n"


def _file_package(content: str) -> str:
    m = re.search(r"^\s*package\s+([\w.]+)\s*;", content, re.MULTILINE)
    return m.group(1) if m else ""


def _protoc_message(err: str, workdir: Path) -> str:
    lines = [
        ln.strip().replace(f"{workdir}/src/", "").replace(f"{workdir}/", "")
        for ln in err.splitlines()
        if ln.strip()
    ]
    text = "; ".join(lines[:8])
    return text + (f" (+{len(lines) - 8} more)" if len(lines) > 8 else "")


def compile_proto(
    content: bytes,
    *,
    source_name: str,
    filename: str = "spec.proto",
    include_paths: list[str] | None = None,
    stub_missing_imports: bool = True,
) -> CompiledProto:
    """Compile ``content`` as ``filename``. Raises :class:`SpecParseError` with protoc's message."""
    text = content.decode("utf-8", "replace")
    includes = [Path(p).expanduser() for p in include_paths or []]
    includes += [VENDOR_DIR, well_known_dir()]
    with tempfile.TemporaryDirectory(prefix="mcp-sre-proto-") as tmp:
        workdir = Path(tmp)
        (workdir / "src").mkdir()
        (workdir / "src" / filename).write_text(text, encoding="utf-8")
        stub_dir = workdir / "stubs"
        stubs: dict[str, list[str]] = {}
        rc, err, data = _run_protoc(workdir, filename, includes)
        rounds = 0
        while rc != 0:
            missing = _missing_files(err)
            if not missing and not stubs:
                raise SpecParseError(
                    source_name, f"protoc rejected the file: {_protoc_message(err, workdir)}"
                )
            if not stub_missing_imports:
                raise SpecParseError(
                    source_name,
                    f"missing proto imports: {', '.join(missing)}",
                    hint="pass their directories in the source's options.include_paths, or "
                    "set options.stub_missing_imports to stub them as opaque messages",
                )
            placed = _plan_stubs(err, missing, _file_package(text), stubs)
            rounds += 1
            if placed is None or placed == stubs or rounds > _MAX_STUB_ROUNDS:
                names = ", ".join([*stubs, *(m for m in missing if m not in stubs)])
                raise SpecParseError(
                    source_name,
                    f"missing proto imports: {names}; they cannot be stubbed "
                    f"safely (protoc: {_protoc_message(err, workdir)})",
                    hint="pass their directories in the source's options.include_paths",
                )
            stubs = placed
            for path, names in stubs.items():
                target = stub_dir / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(_stub_source(_package_of(path), names), encoding="utf-8")
            rc, err, data = _run_protoc(workdir, filename, [*includes, stub_dir])
    files = descriptor_pb2.FileDescriptorSet.FromString(data)
    main = next((f for f in files.file if f.name == filename), None)
    if main is None:  # protoc always emits the file it was asked to compile
        raise SpecParseError(source_name, f"protoc produced no descriptor for {filename}")
    return CompiledProto(files=files, main=main, stubs=stubs)


def _plan_stubs(
    err: str, missing: list[str], file_package: str, previous: dict[str, list[str]]
) -> dict[str, list[str]] | None:
    """Decide which undefined names go into which stub file; ``None`` if that is not safe."""
    if not _only_missing_import_errors(err):
        return None
    packages: dict[str, list[str]] = {}
    for path in [*previous, *missing]:
        packages.setdefault(_package_of(path), []).append(path)
    plan = {path: list(names) for path, names in previous.items()}
    for path in missing:
        plan.setdefault(path, [])
    for m in _UNDEFINED.finditer(err):
        where = _place(m.group("name"), file_package, packages)
        if where is None:
            return None
        path, rel = where
        if rel not in plan[path]:
            plan[path].append(rel)
    return plan
