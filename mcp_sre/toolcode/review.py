"""Every check a tool's code passes before it may be registered, in one place.

``review_tool(code, test, parameters)`` runs, in order:

* **static checks**: the code parses; the sandbox's own scan (:func:`mcp_sre.sandbox.check_code`);
  pyflakes-class errors through ``ruff`` when it is installed (undefined names and the like);
  the tool contract (see :mod:`mcp_sre.registry`): a top-level ``def main(...)``, nothing that
  runs on import, no ``sre.result`` (main returns its value), a parameters schema that matches
  main's signature;
* **the security review** (:func:`security_findings`, reused by the code generator):
  ``write_call`` -- no operation that changes state, by its spec's access class when the
  operation is known, by its verb otherwise (SDK-shaped calls too); ``secret`` -- no hard-coded
  credentials, no reads of secret material, no environment variables holding credentials;
  ``unbounded_pagination`` -- every loop over a paginated API has a cap (``max_items=``, a page
  counter compared against a limit, or ``for _ in range(n)``).

Findings carry a rule id, a line and a message saying what to change. The sandbox policy
enforces read-only at run time anyway; this review refuses early with a clear reason.
"""

from __future__ import annotations

import ast
import contextlib
import fnmatch
import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import jsonschema

from mcp_sre.sandbox.checks import check_code, dotted_name
from mcp_sre.sandbox.policy import BUILTIN_SENSITIVE
from mcp_sre.toolcode.calls import (
    PAGINATING_FUNCS,
    SdkNamer,
    bridge_func,
    literal_str,
    operations_in,
    parse_normalized,
    sdk_calls,
)
from mcp_sre.toolcode.models import CheckReport, ReviewFinding

__all__ = ["WRITE_VERBS", "review_tool", "security_findings"]

# First word of an operation (CamelCase, camelCase or snake_case) that changes state.
WRITE_VERBS = frozenset({
    "create", "delete", "terminate", "put", "update", "modify", "stop", "start", "reboot",
    "patch", "replace", "attach", "detach", "run", "remove", "deregister", "register",
    "associate", "disassociate", "set", "enable", "disable", "reset", "restore", "cancel",
    "release", "allocate", "import", "tag", "untag", "send", "invoke", "execute", "copy",
    "purge", "revoke", "authorize", "publish", "assume", "connect", "apply", "scale", "rollback",
    "evict", "drain", "upload", "insert", "batch_write", "write",
})
# SDK method names that read secret material (snake_case shims).
SECRET_METHODS = ("*secret_value*", "decrypt*", "*credential*", "*authorization_token*",
                  "read_*secret", "list_*secret*", "get_password_data", "get_session_token")
_SECRET_NAME = re.compile(r"(?i)pass(word|wd|phrase)|secret|api_?key|access_?key|private_?key|"
                          r"token|credential")
_PAGINATION_NAME = re.compile(r"(?i)next|continu|pag|marker|cursor|start")
_SECRET_LITERALS = (
    (re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b"), "an AWS access key id"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\."), "a bearer token (JWT)"),
    (re.compile(r"\b(ghp|gho|github_pat|xox[abp]|sk)_[A-Za-z0-9_]{16,}"), "an API token"),
)
_ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
OperationLookup = Callable[[str], Any]


# ---------------------------------------------------------------------------- helpers
def _words(identifier: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", identifier)
    return [w.lower() for w in spaced.split("_") if w]


def _verb(operation_name: str) -> str:
    words = _words(operation_name)
    if words[:2] == ["batch", "write"]:
        return "batch_write"
    return words[0] if words else ""



# ------------------------------------------------------------------ security review
class _Security(ast.NodeVisitor):
    def __init__(self, where: str, lookup: OperationLookup | None, sensitive: Sequence[str],
                 sdk_operations: dict[int, str]) -> None:
        self.where = where
        self.lookup = lookup
        self.sensitive = [p.lower() for p in sensitive]
        self.sdk_operations = sdk_operations  # id(call node) -> the operation a plugin named
        self.findings: list[ReviewFinding] = []

    def add(self, node: ast.AST, rule: str, message: str, severity: str = "error") -> None:
        self.findings.append(ReviewFinding(
            rule=rule, message=message, where=self.where,  # type: ignore[arg-type]
            line=getattr(node, "lineno", 0), severity=severity))  # type: ignore[arg-type]

    # ------------------------------------------------------------- calls
    def visit_Call(self, node: ast.Call) -> None:
        func = bridge_func(node)
        if func:
            self._bridge_call(node, func)
        elif isinstance(node.func, ast.Attribute):
            self._sdk_call(node)
        self._env_read(node)
        self._secret_keywords(node)
        self._consumed(node)
        self.generic_visit(node)

    def _bridge_call(self, node: ast.Call, func: str) -> None:
        op = literal_str(node.args[0]) if node.args else None
        if op is None:
            self.add(node, "dynamic_operation", f"sre.{func}() with a computed operation id: "
                     "the review cannot check it; write the id as a string literal",
                     "warning")
            return
        name = op.rsplit("/", 1)[-1]
        if any(fnmatch.fnmatchcase(op.lower(), p) for p in self.sensitive):
            self.add(node, "secret", f"{op} returns secret material; tools may read metadata "
                     "only (use a Describe/List operation)")
        access = self._access(node, op)
        if access is not None and access != "read":
            self.add(node, "write_call", f"{op} is a {access} operation; registered tools are "
                     "read-only")
        elif access is None and _verb(name) in WRITE_VERBS:
            self.add(node, "write_call", f"{op} looks like a write ({_verb(name)}...); "
                     "registered tools are read-only")

    def _access(self, node: ast.Call, op: str, guessed: bool = False) -> str | None:
        """The spec's access class of ``op``; None when unknown (an SDK-derived id is a guess:
        not finding it is no finding)."""
        if self.lookup is None:
            return None
        try:
            spec = self.lookup(op)
        except Exception as exc:
            from mcp_sre.errors import NotFoundError

            if isinstance(exc, NotFoundError) and not guessed:
                self.add(node, "unknown_operation", str(exc))
            return None
        return str(getattr(spec, "access", "read"))

    def _sdk_call(self, node: ast.Call) -> None:
        method = node.func.attr  # type: ignore[union-attr]
        if "_" not in method or method.startswith("_"):
            return
        low = method.lower()
        if any(fnmatch.fnmatchcase(low, p) for p in SECRET_METHODS):
            self.add(node, "secret", f"{method}() reads secret material; tools may read "
                     "metadata only")
        op = self.sdk_operations.get(id(node))
        access = self._access(node, op, guessed=True) if op else None
        verb = _verb(method)
        if access is not None:
            if access != "read":
                self.add(node, "write_call", f"{method}() calls {op}, a {access} operation; "
                         "registered tools are read-only")
        elif verb in WRITE_VERBS and method not in {"set_default", "register_namespace"}:
            self.add(node, "write_call", f"{method}() looks like a write ({verb}...); "
                     "registered tools are read-only")
        if op and any(fnmatch.fnmatchcase(op.lower(), p) for p in self.sensitive) and not any(
                fnmatch.fnmatchcase(low, p) for p in SECRET_METHODS):
            self.add(node, "secret", f"{method}() calls {op}, which returns secret material; "
                     "tools may read metadata only")
        for kw in node.keywords:
            if kw.arg == "WithDecryption" and isinstance(kw.value, ast.Constant) and kw.value.value:
                self.add(node, "secret", "WithDecryption=True reads secret values; drop it")

    def _env_read(self, node: ast.Call) -> None:
        dotted = dotted_name(node.func) or ""
        if dotted in {"os.getenv", "os.environ.get", "getenv", "environ.get"}:
            key = literal_str(node.args[0]) if node.args else None
            self._env_key(node, key)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if dotted_name(node.value) in {"os.environ", "environ"}:
            self._env_key(node, literal_str(node.slice))
        self.generic_visit(node)

    def _env_key(self, node: ast.AST, key: str | None) -> None:
        if key is None or _SECRET_NAME.search(key):
            self.add(node, "secret", f"reading the environment variable {key or '(computed)'}: "
                     "credentials stay on the host; the bridge signs calls for you")
        else:
            self.add(node, "environment", f"the sandbox has no environment variable {key}; "
                     "take the value as a parameter", "warning")

    # ----------------------------------------------------------- literals
    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            for pattern, what in _SECRET_LITERALS:
                if pattern.search(node.value):
                    self.add(node, "secret", f"the code contains {what}; never embed "
                             "credentials, the host holds them")
        self.generic_visit(node)

    def _secret_value(self, name: str | None, value: ast.AST, node: ast.AST) -> None:
        if not name or not _SECRET_NAME.search(name) or _PAGINATION_NAME.search(name):
            return
        text = literal_str(value)
        if text and len(text) >= 6 and " " not in text:
            self.add(node, "secret", f"{name} is set to a literal value; credentials must not "
                     "be written into a tool")

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name):
                self._secret_value(target.id, node.value, node)
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=False):
            self._secret_value(literal_str(key), value, node)
        self.generic_visit(node)

    def _secret_keywords(self, node: ast.Call) -> None:
        for kw in node.keywords:
            self._secret_value(kw.arg, kw.value, node)

    # -------------------------------------------------------------- loops
    def visit_While(self, node: ast.While) -> None:
        if _calls_api(node) and not (_has_ordering(node.test) or _guarded_break(node.body)):
            self.add(node, "unbounded_pagination", "this while loop calls an API with no cap "
                     "on pages; compare a page counter with a limit (while token and pages < "
                     "max_pages) or use sre.pages(..., max_items=N)")
        self.generic_visit(node)

    def visit_For(self, node: ast.For) -> None:
        self._iteration(node, node.iter, node.body)
        self.generic_visit(node)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        self._iteration(node.iter, node.iter, [])
        self.generic_visit(node)

    def _iteration(self, node: ast.AST, iterable: ast.AST, body: list[ast.stmt]) -> None:
        while isinstance(iterable, ast.Call) and dotted_name(iterable.func) in _WRAPPERS \
                and iterable.args:
            iterable = iterable.args[0]  # enumerate(sre.paginate(...)) and the like
        if not isinstance(iterable, ast.Call) or _guarded_break(body):
            return
        what = _uncapped_pagination(iterable)
        if what:
            self.add(node, "unbounded_pagination", f"iterates every page of {what} with no "
                     "cap; use sre.pages(op, params, max_items=N), PaginationConfig="
                     "{'MaxItems': N}, or break after N items")
        elif dotted_name(iterable.func) in {"itertools.count", "count"} and body \
                and _calls_api(body):
            self.add(node, "unbounded_pagination", "an endless loop over an API; bound it "
                     "with range(max_pages)")

    def _consumed(self, node: ast.Call) -> None:
        """``list(sre.paginate(...))`` reads every page: there is no loop to break out of."""
        if dotted_name(node.func) not in _CONSUMERS:
            return
        for arg in node.args:
            what = _uncapped_pagination(arg) if isinstance(arg, ast.Call) else None
            if what:
                self.add(node, "unbounded_pagination", f"{dotted_name(node.func)}() reads every "
                         f"page of {what}; use sre.pages(op, params, max_items=N)")


_WRAPPERS = frozenset({"enumerate", "iter", "zip", "reversed", "itertools.islice"})
_CONSUMERS = frozenset({"list", "tuple", "sorted", "set", "sum", "len", "max", "min", "any",
                        "all", "dict"})


def _uncapped_pagination(call: ast.Call) -> str | None:
    """What a pagination call iterates, when it sets no cap on items; else None."""
    func = bridge_func(call)
    keywords = {kw.arg: kw.value for kw in call.keywords}
    if func in PAGINATING_FUNCS:
        if func == "pages" and "max_items" in keywords:
            return None
        return (literal_str(call.args[0]) if call.args else None) or "an operation"
    if isinstance(call.func, ast.Attribute) and call.func.attr == "paginate":
        config = keywords.get("PaginationConfig")
        if isinstance(config, ast.Dict) and "MaxItems" in {literal_str(k) for k in config.keys}:
            return None
        return "a paginator"
    return None


def _calls_api(node: ast.AST | list[ast.stmt]) -> bool:
    nodes = node if isinstance(node, list) else [node]
    for root in nodes:
        for sub in ast.walk(root):
            if isinstance(sub, ast.Call) and (
                    bridge_func(sub) or (isinstance(sub.func, ast.Attribute)
                                          and _verb(sub.func.attr) in {"list", "describe",
                                                                       "get", "search",
                                                                       "query", "scan"})):
                return True
    return False


def _has_ordering(node: ast.AST) -> bool:
    return any(isinstance(sub, ast.Compare) and any(isinstance(op, _ORDERING) for op in sub.ops)
               for sub in ast.walk(node))


def _guarded_break(body: list[ast.stmt]) -> bool:
    """An ``if <a < b / a >= b ...>: break`` (or return) somewhere in the loop body."""
    for stmt in body:
        for sub in ast.walk(stmt):
            if isinstance(sub, ast.If) and _has_ordering(sub.test) and any(
                    isinstance(s, ast.Break | ast.Return) for b in sub.body for s in ast.walk(b)):
                return True
    return False


def security_findings(code: str, *, where: str = "code", lookup: OperationLookup | None = None,
                      sensitive: Iterable[str] = BUILTIN_SENSITIVE,
                      sdk: SdkNamer | None = None) -> list[ReviewFinding]:
    """The security review alone (no writes, no secrets, no unbounded pagination); ``sdk``
    names the operations of SDK-shaped calls (:func:`mcp_sre.toolcode.calls.sdk_namer`) so
    they are judged by their spec like bridge calls."""
    tree = parse_normalized(code)
    if tree is None:
        return []  # the static checks report it
    named = {id(node): op for node, op in _named_sdk_calls(tree, sdk)}
    scanner = _Security(where, lookup, list(sensitive), named)
    scanner.visit(tree)
    return scanner.findings


def _named_sdk_calls(tree: ast.Module, sdk: SdkNamer | None) -> list[tuple[ast.Call, str]]:
    if sdk is None:
        return []
    named = ((node, sdk(call)) for node, call in sdk_calls(tree))
    return [(node, op) for node, op in named if op]


# ------------------------------------------------------------------- static checks
def _parse(text: str, where: str) -> tuple[ast.Module | None, list[ReviewFinding]]:
    try:
        return ast.parse(text), []
    except SyntaxError as exc:
        return None, [ReviewFinding(rule="syntax", where=where, line=exc.lineno or 0,  # type: ignore[arg-type]
                              message=f"syntax error: {exc.msg}")]
    except (ValueError, RecursionError) as exc:
        return None, [ReviewFinding(rule="syntax", where=where, message=f"cannot parse: {exc}")]  # type: ignore[arg-type]


def _sandbox_scan(text: str, where: str) -> list[ReviewFinding]:
    return [ReviewFinding(rule="sandbox_scan", where=where, line=f.line, message=f.message)  # type: ignore[arg-type]
            for f in check_code(text) if not f.message.startswith("syntax error")]


_TOP_LEVEL_OK = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef, ast.Assign,
                 ast.AnnAssign, ast.Pass)


def _contract(tree: ast.Module, parameters: dict[str, Any]) -> list[ReviewFinding]:
    out: list[ReviewFinding] = []
    main: ast.FunctionDef | None = None
    for i, stmt in enumerate(tree.body):
        if isinstance(stmt, ast.FunctionDef) and stmt.name == "main":
            main = stmt
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and i == 0:
            continue  # module docstring
        elif not isinstance(stmt, _TOP_LEVEL_OK):
            out.append(ReviewFinding(rule="contract", line=stmt.lineno, message="top-level code runs "
                               "on import; move it into main() (the registry calls main)"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and dotted_name(node.func) == "sre.result":
            out.append(ReviewFinding(rule="contract", line=node.lineno, message="return the value "
                               "from main() instead of calling sre.result()"))
    if main is None:
        out.append(ReviewFinding(rule="contract", message="the code must define a top-level "
                           "def main(**params) that returns the tool's JSON result"))
        return out
    out.extend(_signature(main, parameters))
    return out


def _signature(main: ast.FunctionDef, parameters: dict[str, Any]) -> list[ReviewFinding]:
    args = main.args
    out: list[ReviewFinding] = []
    if args.posonlyargs or args.vararg:
        out.append(ReviewFinding(rule="contract", line=main.lineno, message="main() takes keyword "
                           "arguments only (no positional-only parameters, no *args)"))
    names = [a.arg for a in args.args + args.kwonlyargs]
    n_pos_defaults = len(args.defaults)
    no_default = [a.arg for a in args.args[: len(args.args) - n_pos_defaults]] + [
        a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=False) if d is None]
    props = set((parameters.get("properties") or {}).keys())
    required = set(parameters.get("required") or [])
    for name in no_default:
        if name not in required:
            out.append(ReviewFinding(rule="contract", where="parameters", message=f"main() needs "
                               f"{name!r} (no default) but the schema does not list it in "
                               "'required'; add it there or give it a default"))
    if args.kwarg is None:
        for name in sorted(props - set(names)):
            out.append(ReviewFinding(rule="contract", where="parameters", message=f"the schema has "
                               f"{name!r} but main() has no such parameter (nor **kwargs)"))
    return out


def _check_parameters(parameters: Any) -> list[ReviewFinding]:
    def bad(message: str) -> list[ReviewFinding]:
        return [ReviewFinding(rule="parameters", where="parameters", message=message)]

    if not isinstance(parameters, dict):
        return bad("parameters must be a JSON Schema object")
    if parameters.get("type") != "object":
        return bad('parameters must be {"type": "object", "properties": {...}}')
    try:
        jsonschema.Draft202012Validator.check_schema(parameters)
    except jsonschema.SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "schema"
        return bad(f"not a valid JSON Schema at {where}: {exc.message}")
    return []


def _ruff(program: str, code_lines: int) -> list[ReviewFinding]:
    """pyflakes-class errors (undefined names, misplaced return...) when ruff is installed."""
    exe = shutil.which("ruff")
    if exe is None:
        return []
    try:
        proc = subprocess.run(
            [exe, "check", "--no-cache", "--isolated", "--select", "F63,F7,F82",
             "--config", "builtins = ['sre']", "--output-format", "json",
             "--stdin-filename", "tool.py", "-"],
            input=program, capture_output=True, text=True, timeout=30, check=False)
        items = json.loads(proc.stdout or "[]")
    except (OSError, subprocess.SubprocessError, ValueError):
        return []
    out = []
    for item in items:
        line = int((item.get("location") or {}).get("row") or 0)
        where = "code" if line <= code_lines else "test"
        line = line if where == "code" else line - code_lines
        out.append(ReviewFinding(rule=f"pyflakes_{item.get('code', '')}", where=where, line=line,  # type: ignore[arg-type]
                           message=str(item.get("message", ""))))
    return out


def review_tool(code: str, test: str, parameters: Any, *, lookup: OperationLookup | None = None,
                sensitive: Iterable[str] = BUILTIN_SENSITIVE,
                sdk: SdkNamer | None = None) -> CheckReport:
    """Static checks + security review of a submission; ``passed`` is False on any error."""
    findings = _check_parameters(parameters)
    tree, problems = _parse(code, "code")
    findings += problems
    test_tree, problems = _parse(test, "test")
    findings += problems
    if tree is not None:
        findings += _sandbox_scan(code, "code")
        findings += _contract(parse_normalized(code) or tree,
                              parameters if isinstance(parameters, dict) else {})
        findings += security_findings(code, lookup=lookup, sensitive=sensitive, sdk=sdk)
    if test_tree is not None:
        findings += _sandbox_scan(test, "test")
        findings += security_findings(test, where="test", lookup=lookup, sensitive=sensitive,
                                      sdk=sdk)
        if not any(isinstance(n, ast.Name) and n.id == "main" for n in ast.walk(test_tree)):
            findings.append(ReviewFinding(rule="contract", where="test", message="the test never "
                                    "calls main(...); call it with example arguments and "
                                    "assert on the result"))
    if tree is not None and test_tree is not None:
        program = code.rstrip("\n") + "\n"
        with contextlib.suppress(Exception):
            findings += _ruff(program + test, program.count("\n"))
    findings.sort(key=lambda f: (f.severity != "error", f.where != "code", f.line))
    return CheckReport(passed=not any(f.severity == "error" for f in findings),
                       findings=findings, operations=operations_in(code, sdk))
