"""Static checks run before any code enters the sandbox.

Defence in depth, not the boundary: the WebAssembly sandbox already has no file system, no
network and no processes, so a check that misses something is backed by the sandbox. What the
scan adds is a *clear, early* refusal (with a line number) of code that tries to escape or to
do something the sandbox forbids anyway, so that a code generator gets an actionable message
instead of an obscure failure. It cannot see through dynamic tricks such as string building
plus ``getattr``; ``docs/security.md`` says so.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from mcp_sre.sandbox.models import StaticCheckError

__all__ = ["BANNED_CALLS", "BANNED_MODULES", "ScanFinding", "check_code", "dotted_name", "ensure_safe"]

# Builtins that execute or smuggle code, reach interpreter internals, or open a debugger.
BANNED_CALLS: dict[str, str] = {
    "exec": "executes a string as code",
    "eval": "evaluates a string as code",
    "compile": "builds code objects from strings",
    "__import__": "imports modules by computed name",
    "breakpoint": "opens a debugger",
    "globals": "exposes the module namespace",
    "locals": "exposes the frame namespace",
    "vars": "exposes object namespaces",
    "input": "the sandbox has no interactive input",
    "memoryview": "raw memory access",
}
BANNED_MODULES: dict[str, str] = {
    "subprocess": "starts processes",
    "socket": "opens network connections",
    "ssl": "network encryption",
    "http": "network access",
    "urllib": "network access",
    "ftplib": "network access",
    "smtplib": "network access",
    "asyncio": "sockets, subprocesses and event loops",
    "ctypes": "calls native code",
    "cffi": "calls native code",
    "importlib": "imports modules by computed name",
    "imp": "imports modules by computed name",
    "runpy": "runs modules and files as code",
    "code": "interactive interpreters",
    "codeop": "compiles strings to code",
    "multiprocessing": "starts processes",
    "concurrent": "threads and processes",
    "threading": "threads",
    "_thread": "threads",
    "signal": "signal handlers",
    "pty": "pseudo-terminals and processes",
    "shutil": "file system changes",
    "tempfile": "file system writes",
    "builtins": "rebinds builtins",
    "gc": "reaches arbitrary live objects",
    "inspect": "reaches frames and code objects",
    "pickle": "unpickling runs arbitrary code",
    "marshal": "loads code objects",
    "shelve": "pickle-backed files",
    "posix": "low-level OS calls; use os",
    "_socket": "opens network connections",
    "_posixsubprocess": "starts processes",
}
# Attributes of ``os`` that run commands or change the file system; the rest (os.path,
# os.environ, os.getcwd...) is harmless in the sandbox.
_OS_BANNED = {
    "system", "popen", "fork", "forkpty", "kill", "killpg", "abort", "open", "fdopen", "pipe",
    "remove", "unlink", "rmdir", "removedirs", "rename", "renames", "replace", "mkdir",
    "makedirs", "mkfifo", "mknod", "chmod", "chown", "lchown", "chdir", "chroot", "link",
    "symlink", "truncate", "ftruncate", "putenv", "unsetenv", "write", "dup", "dup2",
    "startfile", "utime", "setuid", "setgid",
}
_OS_BANNED_PREFIXES = ("exec", "spawn", "posix_spawn", "wait")
# Dunder attributes that are harmless and common in ordinary code.
_DUNDER_OK = {"__name__", "__doc__", "__init__", "__str__", "__repr__", "__len__", "__iter__",
              "__next__", "__enter__", "__exit__", "__eq__", "__hash__", "__lt__", "__version__"}
_DUNDER_NAMES_OK = {"__name__", "__doc__", "__file__"}
_WRITE_MODE = set("wax+")
_FS_METHODS = {"write_text", "write_bytes", "touch", "mkdir", "unlink", "rmdir", "symlink_to",
               "hardlink_to"}
_SYS_BANNED = {"modules", "meta_path", "path_hooks", "settrace", "setprofile", "_getframe",
               "addaudithook", "__stdout__", "__stderr__", "__stdin__"}


@dataclass(frozen=True)
class ScanFinding:
    """One refused construct."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def dotted_name(node: ast.AST) -> str | None:
    """``os.path.join`` for an attribute chain on a plain name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


class _Scanner(ast.NodeVisitor):
    def __init__(self) -> None:
        self.findings: list[ScanFinding] = []
        self.aliases: dict[str, str] = {}  # local name -> module it stands for

    def refuse(self, node: ast.AST, message: str) -> None:
        self.findings.append(ScanFinding(getattr(node, "lineno", 0), message))

    # ------------------------------------------------------------------ imports
    def _check_module(self, node: ast.AST, module: str) -> None:
        top = module.split(".", 1)[0]
        reason = BANNED_MODULES.get(module) or BANNED_MODULES.get(top)
        if reason:
            self.refuse(node, f"import of {module!r} is not allowed ({reason})")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._check_module(node, alias.name)
            self.aliases[alias.asname or alias.name.split(".")[0]] = (
                alias.name if alias.asname else alias.name.split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if node.level:
            self.refuse(node, "relative imports are not allowed")
        self._check_module(node, module)
        for alias in node.names:
            self._check_module(node, f"{module}.{alias.name}")
            if module == "os":
                self._check_os_attr(node, alias.name)
            if module == "sys" and alias.name in _SYS_BANNED:
                self.refuse(node, f"sys.{alias.name} is not allowed")
            if alias.name == "*":
                self.refuse(node, f"'from {module} import *' is not allowed; import names")
            if _is_dunder(alias.name):
                self.refuse(node, f"importing {alias.name} is not allowed")
            self.aliases[alias.asname or alias.name] = f"{module}.{alias.name}"
        self.generic_visit(node)

    def _check_os_attr(self, node: ast.AST, attr: str) -> None:
        if attr in _OS_BANNED or attr.startswith(_OS_BANNED_PREFIXES):
            self.refuse(node, f"os.{attr} is not allowed (commands and file-system changes are "
                              "not available in the sandbox)")

    # ------------------------------------------------------------ names, attrs
    def visit_Name(self, node: ast.Name) -> None:
        if _is_dunder(node.id) and node.id not in _DUNDER_NAMES_OK:
            self.refuse(node, f"use of {node.id} is not allowed")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if _is_dunder(node.attr) and node.attr not in _DUNDER_OK:
            self.refuse(node, f"access to the attribute {node.attr} is not allowed "
                              "(interpreter internals)")
        dotted = dotted_name(node)
        if dotted:
            head, _, rest = dotted.partition(".")
            full = f"{self.aliases.get(head, head)}.{rest}" if rest else dotted
            if full.startswith("os.") and full.count(".") == 1:
                self._check_os_attr(node, full.split(".", 1)[1])
            if full.startswith("sys.") and full.split(".")[1] in _SYS_BANNED:
                self.refuse(node, f"{full} is not allowed")
        self.generic_visit(node)

    # -------------------------------------------------------------------- calls
    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else None
        target = self.aliases.get(name, name) if name else dotted_name(func)
        if name in BANNED_CALLS and name not in self.aliases:
            self.refuse(node, f"{name}() is not allowed ({BANNED_CALLS[name]})")
        if name in {"getattr", "setattr", "delattr", "hasattr"}:
            self._check_getattr(node, name)
        if name == "open" or target in {"io.open", "builtins.open", "open"}:
            self._check_open(node)
        if isinstance(func, ast.Attribute) and func.attr in _FS_METHODS:
            self.refuse(node, f".{func.attr}() is not allowed (the sandbox file system is "
                              "read-only)")
        self.generic_visit(node)

    def _check_getattr(self, node: ast.Call, name: str) -> None:
        if len(node.args) < 2:
            return
        attr = node.args[1]
        if isinstance(attr, ast.Constant) and isinstance(attr.value, str):
            if _is_dunder(attr.value) and attr.value not in _DUNDER_OK:
                self.refuse(node, f"{name}(..., {attr.value!r}) is not allowed "
                                  "(interpreter internals)")
            elif attr.value.startswith("__"):
                self.refuse(node, f"{name}(..., {attr.value!r}) is not allowed")
        elif name in {"setattr", "delattr"}:
            self.refuse(node, f"{name}() with a computed attribute name is not allowed")
        elif isinstance(attr, ast.JoinedStr | ast.BinOp):
            self.refuse(node, f"{name}() with a built-up attribute name is not allowed")

    def _check_open(self, node: ast.Call) -> None:
        mode: ast.AST | None = node.args[1] if len(node.args) > 1 else None
        for kw in node.keywords:
            if kw.arg == "mode":
                mode = kw.value
        if mode is None:
            return
        if not (isinstance(mode, ast.Constant) and isinstance(mode.value, str)):
            self.refuse(node, "open() with a computed mode is not allowed; use a literal 'r'")
        elif _WRITE_MODE & set(mode.value):
            self.refuse(node, f"open(..., {mode.value!r}) is not allowed: the sandbox file "
                              "system is read-only; print results or use sre.result()")


def check_code(code: str, filename: str = "<sandbox>") -> list[ScanFinding]:
    """Every refused construct in ``code``; an empty list means the scan found nothing."""
    try:
        tree = ast.parse(code, filename=filename)
    except SyntaxError as exc:
        return [ScanFinding(exc.lineno or 0, f"syntax error: {exc.msg}")]
    except (ValueError, RecursionError, MemoryError) as exc:
        return [ScanFinding(0, f"cannot parse the code: {type(exc).__name__}: {exc}")]
    scanner = _Scanner()
    try:
        scanner.visit(tree)
    except RecursionError:
        return [ScanFinding(0, "the code is nested too deeply to check")]
    return sorted(scanner.findings, key=lambda f: f.line)


def ensure_safe(code: str, filename: str = "<sandbox>") -> None:
    """Raise :class:`StaticCheckError` listing every finding (at most 10) with line numbers."""
    findings = check_code(code, filename)
    if not findings:
        return
    shown = "; ".join(str(f) for f in findings[:10])
    more = f" (+{len(findings) - 10} more)" if len(findings) > 10 else ""
    raise StaticCheckError(f"code refused by the static check: {shown}{more}")
