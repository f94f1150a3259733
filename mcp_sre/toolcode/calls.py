"""Which operations a piece of tool code calls, found statically.

Two spellings reach a cloud: the bridge (``sre.call("provider/service/Operation", ...)``, the
same after ``from sre import call as c``) and SDK-shaped code over a guest shim (a client made
by a factory call, then a method call on it). The core knows only the first; for the second it
collects :class:`SdkCall` records and asks the plugins, through the ``sdk_call_operation``
hook, which operation each one names (see :func:`sdk_namer`). Both the review's write check and
the operation list of a registered tool use what is found here.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from mcp_sre.sandbox.checks import dotted_name

if TYPE_CHECKING:
    import pluggy

__all__ = [
    "BRIDGE_FUNCS",
    "PAGINATING_FUNCS",
    "SdkCall",
    "SdkNamer",
    "bridge_func",
    "literal_str",
    "operations_in",
    "parse_normalized",
    "sdk_calls",
    "sdk_namer",
]

# sre functions that call an operation; the first argument is the operation id.
BRIDGE_FUNCS = frozenset({"call", "request", "paginate", "pages"})
PAGINATING_FUNCS = frozenset({"paginate", "pages"})


class SdkCall(BaseModel):
    """A method called on an SDK client, as written: what a plugin needs to name the
    operation (``ec2 = <factory>("ec2"); ec2.describe_instances()``)."""

    model_config = {"frozen": True}

    factory: str = Field(description="Dotted name of the call that made the client, calls "
                         "shown as '()': 'client.CoreV1Api', 'mod.Session().client'")
    factory_args: tuple[str | None, ...] = Field(
        default=(), description="The factory's positional arguments: string literals, None "
                                "for anything computed")
    method: str = Field(description="The method called on the client")
    method_args: tuple[str | None, ...] = Field(
        default=(), description="The method's positional arguments, like factory_args")


SdkNamer = Callable[[SdkCall], "str | None"]


def sdk_namer(pm: pluggy.PluginManager | None) -> SdkNamer | None:
    """The plugins' ``sdk_call_operation`` hook as a function (None without plugins)."""
    if pm is None:
        return None

    def name(call: SdkCall) -> str | None:
        return pm.hook.sdk_call_operation(call=call)

    return name


def literal_str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


class _SreAliases(ast.NodeTransformer):
    """Rewrite ``from sre import call as c`` / ``import sre as s`` uses back to ``sre.call``
    so that every rule sees one spelling (line numbers are kept)."""

    def __init__(self, tree: ast.Module) -> None:
        self.funcs: dict[str, str] = {}
        self.modules: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "sre":
                for alias in node.names:
                    self.funcs[alias.asname or alias.name] = alias.name
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "sre" and alias.asname:
                        self.modules.add(alias.asname)

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.funcs:
            target = ast.Attribute(value=ast.Name(id="sre", ctx=ast.Load()),
                                   attr=self.funcs[node.id], ctx=node.ctx)
            return ast.copy_location(target, node)
        if node.id in self.modules:
            return ast.copy_location(ast.Name(id="sre", ctx=node.ctx), node)
        return node


def parse_normalized(code: str) -> ast.Module | None:
    """The code's tree with ``sre`` aliases spelled out; None when it does not parse."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        return None
    aliases = _SreAliases(tree)
    if aliases.funcs or aliases.modules:
        tree = ast.fix_missing_locations(aliases.visit(tree))
    return tree


def bridge_func(node: ast.Call) -> str | None:
    """``call`` for ``sre.call(...)`` (aliases are normalised first), else None."""
    dotted = dotted_name(node.func)
    if dotted and dotted.startswith("sre.") and dotted.count(".") == 1:
        name = dotted.split(".", 1)[1]
        return name if name in BRIDGE_FUNCS else None
    return None


def _callee(node: ast.AST) -> str | None:
    """``mod.Session().client`` for an attribute chain through calls on a plain name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute | ast.Call):
        if isinstance(node, ast.Call):
            parts.append("()")
            node = node.func
        else:
            parts.append("." + node.attr)
            node = node.value
    if not isinstance(node, ast.Name):
        return None
    return node.id + "".join(reversed(parts)).replace(".()", "()")


def _literals(args: list[ast.expr]) -> tuple[str | None, ...]:
    return tuple(literal_str(a) for a in args)


def _factories(tree: ast.Module) -> dict[str, ast.Call]:
    """Names bound to the value of a call (``ec2 = mod.client("ec2")``): candidate clients."""
    bound: dict[str, ast.Call] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    bound[target.id] = node.value
    return bound


def _through_bound(receiver: ast.expr, bound: dict[str, ast.Call]) -> tuple[str, ast.Call] | None:
    """A receiver reached through attributes and calls from a name bound to a factory call:
    ``cm.virtual_machines`` or ``svc.instances().list(...)`` with ``cm = mod.Client(...)``
    -> (``mod.Client().virtual_machines``, the factory call)."""
    chain: list[str] = []
    node: ast.AST = receiver
    innermost: tuple[int, ast.Call] | None = None  # (chain length before it, the call)
    while isinstance(node, ast.Attribute | ast.Call):
        if isinstance(node, ast.Call):
            innermost = (len(chain), node)
            chain.append("()")
            node = node.func
        else:
            chain.append("." + node.attr)
            node = node.value
    if not isinstance(node, ast.Name):
        return None
    if node.id in bound:
        root = bound[node.id]
    elif innermost is not None and innermost[0] > 0:  # mod.build("x").things().list
        root = innermost[1]
        chain = chain[: innermost[0]]
    else:
        return None
    head = _callee(root.func)
    if not chain or not head or head.startswith("sre."):
        return None
    return head + "()" + "".join(reversed(chain)).replace(".()", "()"), root


def sdk_calls(tree: ast.Module) -> Iterator[tuple[ast.Call, SdkCall]]:
    """Every ``client.method(...)`` whose client is a factory call's value, bound to a name
    or called in place (``mod.client("ec2").describe_instances()``). A method reached from a
    bound client through attributes or calls (``cm.virtual_machines.list_all()``) is also
    reported with the whole chain as its factory and the bound factory's arguments."""
    bound = _factories(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        receiver = node.func.value
        chained = _through_bound(receiver, bound) if isinstance(
            receiver, ast.Attribute | ast.Call) else None
        if chained is not None:
            yield node, SdkCall(factory=chained[0], factory_args=_literals(chained[1].args),
                                method=node.func.attr, method_args=_literals(node.args))
        factory = bound.get(receiver.id) if isinstance(receiver, ast.Name) else (
            receiver if isinstance(receiver, ast.Call) else None)
        name = _callee(factory.func) if factory is not None else None
        if factory is None or not name or name.startswith("sre."):
            continue
        yield node, SdkCall(factory=name, factory_args=_literals(factory.args),
                            method=node.func.attr, method_args=_literals(node.args))


def operations_in(code: str, sdk: SdkNamer | None = None) -> list[str]:
    """Operation ids the code names statically: ``sre.call("p/s/Op")`` literals, and SDK calls
    the plugins can name (``sdk``, see :func:`sdk_namer`)."""
    tree = parse_normalized(code)
    if tree is None:
        return []
    found: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and bridge_func(node) and node.args:
            op = literal_str(node.args[0])
            if op:
                found.append((node.lineno, node.col_offset, op))
    if sdk is not None:
        for node, call in sdk_calls(tree):
            op = sdk(call)
            if op:
                found.append((node.lineno, node.col_offset, op))
    return list(dict.fromkeys(op for *_, op in sorted(found, key=lambda f: f[:2])))
