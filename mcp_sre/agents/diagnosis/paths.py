"""The small path and condition language that relation, signal and root-cause rules are written in.

A path walks JSON data: ``spec.containers[].name`` (``[]`` flattens a list),
``spec.containers[name={container}].ports[].containerPort`` (``[k=v]`` keeps matching items; ``{x}``
is filled from the facts), ``a|b`` (the first alternative that yields something). Roots such as
``obj``, ``item`` and ``rel`` come from the scope the caller passes. Conditions compare the values
of a path: ``eq ne in not_in regex exists absent empty nonempty gt lt``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

__all__ = ["check", "fill", "first", "values"]

_TOKEN = re.compile(r"([^.\[\]]+)|\[([^\]]*)\]")
_FIELD = re.compile(r"\{([A-Za-z_][\w.]*)\}")


@lru_cache(maxsize=4096)
def _parse(path: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for name, bracket in _TOKEN.findall(path):
        out.append(("key", name) if name else ("filter" if bracket else "all", bracket))
    return tuple(out)


def fill(template: str, facts: Mapping[str, Any]) -> str:
    """``{name}`` placeholders from ``facts`` (missing ones become empty)."""

    def one(match: re.Match[str]) -> str:
        value = facts.get(match.group(1))
        if value is None and "." in match.group(1):
            value = first(facts, match.group(1))
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return "" if value is None else str(value)

    return _FIELD.sub(one, template)


def values(scope: Any, path: str, facts: Mapping[str, Any] | None = None) -> list[Any]:
    """Every value ``path`` reaches in ``scope`` (alternatives split by ``|``)."""
    if "{" in path:  # keys may be filled from facts too: ``{probe}Probe``
        path = fill(path, facts or {})
    for alternative in path.split("|"):
        found = _walk([scope], _parse(alternative.strip()), facts or {})
        if found:
            return found
    return []


def first(scope: Any, path: str, facts: Mapping[str, Any] | None = None) -> Any:
    found = values(scope, path, facts)
    return found[0] if found else None


def _walk(current: list[Any], steps: tuple[tuple[str, str], ...],
          facts: Mapping[str, Any]) -> list[Any]:
    for op, arg in steps:
        nxt: list[Any] = []
        for value in current:
            if op == "key":
                if isinstance(value, Mapping) and value.get(arg) is not None:
                    nxt.append(value[arg])
            elif op == "all":
                if isinstance(value, list):
                    nxt.extend(v for v in value if v is not None)
                elif isinstance(value, Mapping):
                    nxt.extend(value.values())
            elif isinstance(value, list):  # filter k=v
                key, _, want = arg.partition("=")
                want = fill(want, facts)
                nxt.extend(v for v in value
                           if isinstance(v, Mapping) and str(v.get(key.strip())) == want)
        current = nxt
        if not current:
            return []
    return current


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def check(scope: Any, condition: Mapping[str, Any], facts: Mapping[str, Any] | None = None
          ) -> bool:
    """One condition ``{path: ..., <op>: ...}``; several ops must all hold."""
    found = values(scope, str(condition.get("path", "")), facts)
    texts = [str(v) for v in found]
    for op, want in condition.items():
        if op == "path":
            continue
        if op == "exists" and bool(found) != bool(want):
            return False
        if op == "absent" and bool(found) == bool(want):
            return False
        if op == "empty" and (bool(found) and any(found)) == bool(want):
            return False
        if op == "nonempty" and (bool(found) and any(found)) != bool(want):
            return False
        if op == "eq" and str(want) not in texts:
            return False
        if op == "ne" and str(want) in texts:
            return False
        if op == "in" and not set(texts) & {str(w) for w in want}:
            return False
        if op == "not_in" and set(texts) & {str(w) for w in want}:
            return False
        if op == "regex" and not any(re.search(str(want), t, re.I) for t in texts):
            return False
        if op in ("in_fact", "not_in_fact"):
            have = (facts or {}).get(str(want))
            have = {str(h) for h in (have if isinstance(have, list) else [have]) if h is not None}
            if (op == "in_fact") != bool(set(texts) & have):
                return False
        if op in ("gt", "lt"):
            numbers = [n for n in (_number(v) for v in found) if n is not None]
            if op == "gt" and not any(n > float(want) for n in numbers):
                return False
            if op == "lt" and not any(n < float(want) for n in numbers):
                return False
    return True
