"""A small path language for mapping rules: where in a response a field lives.

``Reservations[*].Instances[*]`` walks lists; ``Tags[Key=Name].Value`` filters a list of
objects; ``metadata.labels."app.kubernetes.io/name"`` quotes a key holding dots; ``value[1]``
indexes. A path starting ``$params.`` or ``$ctx.`` reads the request parameters or the
collection context instead of the record. Every path yields a *list* of values (empty when
absent), like JSONPath, so missing data stays missing instead of becoming zero.

A field spec is a path; a template (``"{metadata.namespace}/{metadata.name}"``); a list of specs
(first that yields wins); or a mapping with ``path``/``template``/``ratio`` and the operations
``split``+``part`` (lists: applied in turn), ``trim_suffix``, ``value`` (a literal), ``difference`` (a - b), ``sum``, ``any``, ``map``, ``default``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

__all__ = ["PathError", "evaluate", "field_values", "first", "parse_path"]

_TEMPLATE = re.compile(r"\{([^{}]+)\}")
_SEGMENT = re.compile(r'"([^"]+)"|([^.\[\]"]+)|\[([^\]]*)\]')


class PathError(ValueError):
    """A path that cannot be parsed."""


def parse_path(path: str) -> tuple[str, list[tuple[str, Any]]]:
    """(root, steps); steps are ("key", name) | ("all", None) | ("index", n) | ("where", (k, v))."""
    root = "record"
    text = path.strip()
    for name in ("$params", "$ctx", "$record"):
        if text == name or text.startswith(name + "."):
            root, text = name[1:], text[len(name) + 1 :]
            break
    steps: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(text):
        if text[pos] == ".":
            pos += 1
            continue
        m = _SEGMENT.match(text, pos)
        if m is None:
            raise PathError(f"cannot read path {path!r} at {text[pos:]!r}")
        quoted, bare, bracket = m.groups()
        if bracket is not None:
            inner = bracket.strip()
            if inner == "*":
                steps.append(("all", None))
            elif re.fullmatch(r"-?\d+", inner):
                steps.append(("index", int(inner)))
            elif "=" in inner:
                key, _, value = inner.partition("=")
                steps.append(("where", (key.strip(), value.strip().strip("'\""))))
            else:
                raise PathError(f"cannot read [{inner}] in path {path!r}")
        else:
            steps.append(("key", quoted if quoted is not None else bare))
        pos = m.end()
    return root, steps


def _walk(value: Any, steps: list[tuple[str, Any]]) -> Iterator[Any]:
    if not steps:
        if value is not None:
            yield value
        return
    kind, arg = steps[0]
    rest = steps[1:]
    if kind == "key":
        if isinstance(value, dict) and arg in value:
            yield from _walk(value[arg], rest)
    elif kind == "all":
        if isinstance(value, list):
            for item in value:
                yield from _walk(item, rest)
    elif kind == "index":
        if isinstance(value, list) and -len(value) <= arg < len(value):
            yield from _walk(value[arg], rest)
    elif kind == "where" and isinstance(value, list):
        key, want = arg
        for item in value:
            if isinstance(item, dict) and str(item.get(key)) == want:
                yield from _walk(item, rest)


_CACHE: dict[str, tuple[str, list[tuple[str, Any]]]] = {}


def evaluate(path: str, record: Any, env: dict[str, Any] | None = None) -> list[Any]:
    if path not in _CACHE:
        _CACHE[path] = parse_path(path)
    root, steps = _CACHE[path]
    base = record if root == "record" else (env or {}).get(root)
    return list(_walk(base, steps))


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def field_values(spec: Any, record: Any, env: dict[str, Any] | None = None) -> list[Any]:
    """All values a field spec yields for ``record``."""
    if spec is None:
        return []
    if isinstance(spec, list):
        for option in spec:
            values = field_values(option, record, env)
            if values:
                return values
        return []
    if isinstance(spec, str):
        if "{" in spec:
            parts: list[str] = []
            for i, piece in enumerate(_TEMPLATE.split(spec)):
                if i % 2 == 0:
                    parts.append(piece)
                    continue
                found = evaluate(piece, record, env)
                if not found:
                    return []
                parts.append(str(found[0]))
            return ["".join(parts)]
        return evaluate(spec, record, env)
    if isinstance(spec, dict):
        return _operate(spec, record, env)
    return [spec]  # a literal


def _operate(spec: dict[str, Any], record: Any, env: dict[str, Any] | None) -> list[Any]:
    if "difference" in spec:
        a, b = (field_values(s, record, env) for s in spec["difference"])
        x, y = (_number(a[0]) if a else None), (_number(b[0]) if b else None)
        values: list[Any] = [] if x is None or y is None else [x - y]
    elif "ratio" in spec:
        num, den = (field_values(s, record, env) for s in spec["ratio"])
        n = _number(num[0]) if num else (0.0 if den else None)
        d = _number(den[0]) if den else None
        values = [] if n is None or not d else [n / d]
    elif "value" in spec:
        values = [spec["value"]]
    else:
        values = field_values(spec.get("path") or spec.get("template"), record, env)
    if "split" in spec:  # one separator and part, or lists of them applied in turn
        seps = spec["split"] if isinstance(spec["split"], list) else [spec["split"]]
        parts = spec.get("part", -1)
        parts = parts if isinstance(parts, list) else [parts] * len(seps)
        for sep, part in zip(seps, parts, strict=False):
            out = []
            for value in values:
                pieces = str(value).split(sep)
                if -len(pieces) <= int(part) < len(pieces) and pieces[int(part)]:
                    out.append(pieces[int(part)])
            values = out
    if "trim_suffix" in spec:
        suffixes = field_values(spec["trim_suffix"], record, env)
        if suffixes:
            values = [
                str(v)[: -len(str(suffixes[0]))]
                if str(v).endswith(str(suffixes[0])) and len(str(v)) > len(str(suffixes[0]))
                else v
                for v in values
            ]
    if spec.get("sum"):
        numbers = [n for n in (_number(v) for v in values) if n is not None]
        values = [sum(numbers)] if numbers else []
    if spec.get("any"):
        values = [any(v is True or str(v).lower() == "true" for v in values)] if values else []
    if "map" in spec:
        table = {str(k): v for k, v in spec["map"].items()}
        values = [table.get(str(v), table.get("*")) for v in values]
        values = [v for v in values if v is not None]
    if not values and "default" in spec:
        values = [spec["default"]]
    return values


def first(spec: Any, record: Any, env: dict[str, Any] | None = None) -> Any:
    values = field_values(spec, record, env)
    return values[0] if values else None
