"""The tool-code contract: what ``main`` and its test look like.

The contract (also in the :mod:`mcp_sre.registry` package docstring, for tool authors):
**code** defines a top-level ``def main(...)`` whose keyword parameters are the tool's
parameters and whose JSON return value is the tool's result, with nothing running on import;
**test** is appended after the code, calls ``main(...)`` (in ``def test_*()`` functions, each
called in order, or at top level) and asserts on the result; a registered tool runs as
``sre.result(main(**sre.inputs))`` with the caller's validated arguments as ``inputs``.

This module holds the contract as prompt text, the parameters' JSON Schema derived from
``main``'s signature (so a writer does not have to write it) and a few checks on the test; the
programs that run the code are built in :mod:`mcp_sre.toolcode.harness`, for the code
generator and the registry alike.
"""

from __future__ import annotations

import ast
import json
from typing import Any

from pydantic import BaseModel, Field

__all__ = [
    "CONTRACT_TEXT",
    "ENTRY_POINT",
    "ContractReport",
    "check_contract",
    "parameters_schema",
    "test_names",
]

ENTRY_POINT = "main"

_JSON_TYPES = {
    "str": "string", "int": "integer", "float": "number", "bool": "boolean",
    "list": "array", "tuple": "array", "dict": "object", "None": "null",
}

CONTRACT_TEXT = f"""\
Write two pieces of Python.

CODE -- one module that defines, at module level:
    def {ENTRY_POINT}(param: type = default, ...) -> <JSON value>:
        \"\"\"One sentence: what it returns.\"\"\"
- Every parameter is a plain keyword parameter annotated with str, int, float, bool,
  list[...], dict[...] or `X | None`; give a default to every optional parameter. These
  parameters become the tool's arguments (their JSON Schema is derived from the signature).
- Return JSON-safe data (dict/list/str/int/float/bool/None); do not just print it, and do
  not call sre.result() -- the tool runs as sre.result(main(**arguments)).
- Call cloud APIs only with `import sre; sre.call("provider/service/Operation", **params)`
  or an SDK shim such as `boto3.client("ec2")`; read operations only.
- Nothing may run at import time except imports, constants and function definitions.

TEST -- a second piece of Python, run after CODE in the same program (it can call
{ENTRY_POINT}() directly; do not import it and do not redefine it):
- Define one or more `def test_<what>():` functions without parameters (each is called, in
  order).
- Call {ENTRY_POINT}(...) with concrete arguments; it runs against the live target.
- Assert properties that hold in any account (types, keys, the promised filter), never
  particular resource ids or counts. Print a short summary of what {ENTRY_POINT} returned.
"""


class ContractReport(BaseModel):
    """Whether code and test follow the contract, and the parameters' JSON Schema."""

    problems: list[str] = Field(default_factory=list, description="Each violation, one line")
    parameters: dict[str, Any] = Field(
        default_factory=dict, description="JSON Schema of main's arguments (when derivable)")

    @property
    def ok(self) -> bool:
        return not self.problems


def _annotation_schema(node: ast.expr | None) -> dict[str, Any] | None:
    """JSON Schema of a simple annotation; None when it cannot be expressed."""
    if node is None:
        return {}
    if isinstance(node, ast.Constant) and node.value is None:
        return {"type": "null"}
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # "int" string hint
        try:
            return _annotation_schema(ast.parse(node.value, mode="eval").body)
        except SyntaxError:
            return None
    if isinstance(node, ast.Name | ast.Attribute):
        name = node.id if isinstance(node, ast.Name) else node.attr
        if name == "Any":
            return {}
        kind = _JSON_TYPES.get(name)
        return {"type": kind} if kind else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = _annotation_schema(node.left), _annotation_schema(node.right)
        if left is None or right is None:
            return None
        return {"anyOf": [s for s in (left, right) if s]} if left and right else {}
    if isinstance(node, ast.Subscript):
        base = node.value.id if isinstance(node.value, ast.Name) else (
            node.value.attr if isinstance(node.value, ast.Attribute) else "")
        if base in {"list", "List", "tuple", "Tuple", "Sequence"}:
            inner = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
            items = _annotation_schema(inner)
            return {"type": "array", **({"items": items} if items else {})}
        if base in {"dict", "Dict", "Mapping"}:
            return {"type": "object"}
        if base == "Optional":
            inner_schema = _annotation_schema(node.slice)
            if inner_schema is None:
                return None
            return {"anyOf": [inner_schema, {"type": "null"}]} if inner_schema else {}
        if base == "Literal":
            elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            values = [e.value for e in elts if isinstance(e, ast.Constant)]
            return {"enum": values} if len(values) == len(elts) else None
    return None


def _find_main(tree: ast.Module) -> ast.FunctionDef | None:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == ENTRY_POINT:
            return node
    return None


def parameters_schema(code: str) -> dict[str, Any]:
    """The JSON Schema of ``main``'s keyword arguments (raises ValueError if not derivable)."""
    report = check_contract(code)
    if not report.ok:
        raise ValueError("; ".join(report.problems))
    return report.parameters


def _signature_problems(fn: ast.FunctionDef, schema: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    args = fn.args
    if args.vararg or args.kwarg:
        problems.append(f"{ENTRY_POINT}() must not take *args or **kwargs; name each parameter")
    if args.posonlyargs:
        problems.append(f"{ENTRY_POINT}() must not have positional-only parameters")
    plain = args.args
    defaults: list[ast.expr | None] = [None] * (len(plain) - len(args.defaults)) + list(
        args.defaults)
    pairs = list(zip(plain, defaults, strict=True)) + list(
        zip(args.kwonlyargs, args.kw_defaults, strict=True))
    props: dict[str, Any] = {}
    required: list[str] = []
    for arg, default in pairs:
        sub = _annotation_schema(arg.annotation)  # unknown or missing: no type constraint
        prop = dict(sub or {})
        if default is None:
            required.append(arg.arg)
        else:
            try:
                value = ast.literal_eval(default)
                json.dumps(value)
                prop["default"] = value
            except (ValueError, TypeError, SyntaxError):
                problems.append(f"the default of {arg.arg!r} must be a JSON literal")
        props[arg.arg] = prop
    doc = ast.get_docstring(fn)
    schema.update({"type": "object", "properties": props, "additionalProperties": False})
    if required:
        schema["required"] = required
    if doc:
        schema["description"] = doc.strip().splitlines()[0]
    return problems


def check_contract(code: str, test: str | None = None) -> ContractReport:
    """Check ``code`` (and ``test`` if given) against the contract; derive the parameters."""
    report = ContractReport()
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        report.problems.append(f"code: syntax error at line {exc.lineno}: {exc.msg}")
        return report
    fn = _find_main(tree)
    if fn is not None:  # a missing main() is reported by the registry's review
        report.problems.extend(f"code: {p}" for p in _signature_problems(fn, report.parameters))
    if test is None:
        return report
    try:
        ttree = ast.parse(test)
    except SyntaxError as exc:
        report.problems.append(f"test: syntax error at line {exc.lineno}: {exc.msg}")
        return report
    tests = [n for n in ttree.body if isinstance(n, ast.FunctionDef) and n.name.startswith(
        "test")]
    for node in tests:
        if node.args.args or node.args.vararg or node.args.kwarg or node.args.kwonlyargs:
            report.problems.append(f"test: {node.name}() must take no parameters "
                                   "(no pytest fixtures)")
    if any(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == ENTRY_POINT
           for n in ttree.body):
        report.problems.append(f"test: do not redefine {ENTRY_POINT}(); call the one from the "
                               "code")
    return report


def test_names(test: str) -> list[str]:
    """The ``test*`` functions defined at the top level of ``test``, in source order (the
    registry calls each of them)."""
    try:
        tree = ast.parse(test)
    except SyntaxError:
        return []
    return [n.name for n in tree.body
            if isinstance(n, ast.FunctionDef) and n.name.startswith("test")]
