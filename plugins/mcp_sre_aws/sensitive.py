"""botocore's own word on secrets: output members whose shape says ``"sensitive": true``.

Every AWS answer is walked alongside its operation's output shape (the installed botocore's
model, all depths, recursive shapes included) and each sensitive member's value is masked.
This covers the whole class -- client secrets, API key values, pre-shared keys, private keys,
stream keys, passwords -- in 400+ services without naming one operation.
"""

from __future__ import annotations

import functools
import re
import threading
from typing import Any

from mcp_sre.sandbox.masking import MASK, secret_name

__all__ = ["has_sensitive_output", "mask_sensitive_shapes", "output_shape", "secret_reason",
           "sensitive_paths"]

_lock = threading.Lock()
_MAX_DEPTH = 200


@functools.lru_cache(maxsize=1)
def _loader_session() -> Any:
    import botocore.session

    return botocore.session.get_session()


@functools.lru_cache(maxsize=256)
def _service_model(service: str) -> Any:
    with _lock:  # botocore's loader caches are not thread-safe to fill
        return _loader_session().get_service_model(service)


@functools.lru_cache(maxsize=4096)
def output_shape(service: str, operation: str) -> Any:
    """The operation's output shape, or ``None`` (unknown service/operation, no output)."""
    try:
        return _service_model(service).operation_model(operation).output_shape
    except Exception:  # an operation the installed botocore does not know: nothing to walk
        return None


def _sensitive(shape: Any) -> bool:
    return bool(shape.metadata.get("sensitive"))


def _reaches_sensitive(shape: Any, seen: dict[str, bool]) -> bool:
    key = shape.name
    if key in seen:
        return seen[key]
    seen[key] = False  # a cycle does not reach anything by itself
    if _sensitive(shape):
        found = True
    elif shape.type_name == "structure":
        found = any(_reaches_sensitive(m, seen) for m in shape.members.values())
    elif shape.type_name == "list":
        found = _reaches_sensitive(shape.member, seen)
    elif shape.type_name == "map":
        found = _reaches_sensitive(shape.key, seen) or _reaches_sensitive(shape.value, seen)
    else:
        found = False
    seen[key] = found
    return found


@functools.lru_cache(maxsize=4096)
def has_sensitive_output(service: str, operation: str) -> bool:
    shape = output_shape(service, operation)
    return shape is not None and _reaches_sensitive(shape, {})


def _walk(shape: Any, value: Any, depth: int) -> Any:
    if value is None:
        return value
    if depth > _MAX_DEPTH:
        return MASK
    if _sensitive(shape):
        return _mask_leaves(value, depth)
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                value[name] = _walk(member, value[name], depth + 1)
    elif kind == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            value[i] = _walk(shape.member, item, depth + 1)
    elif kind == "map" and isinstance(value, dict):
        if _sensitive(shape.key):
            return dict.fromkeys((f"{MASK} {i}" for i in range(len(value))), MASK)
        for key, item in value.items():
            value[key] = _walk(shape.value, item, depth + 1)
    return value


def _mask_leaves(value: Any, depth: int) -> Any:
    """A sensitive value masked leaf by leaf: containers keep their shape (and maps their keys)
    so that code iterating over them still runs."""
    if depth > _MAX_DEPTH:
        return MASK
    if isinstance(value, dict):
        return {k: _mask_leaves(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_leaves(v, depth + 1) for v in value]
    return MASK if value not in (None, "") else value


def mask_sensitive_shapes(service: str, operation: str, data: Any) -> Any:
    """Mask (in place) every member of ``data`` whose botocore shape is sensitive."""
    if not has_sensitive_output(service, operation):
        return data
    return _walk(output_shape(service, operation), data, 0)


def sensitive_paths(shape: Any, prefix: str = "", seen: frozenset[str] = frozenset()) -> list[str]:
    """Dotted paths (``[]`` for list items, ``{}`` for map values) of the sensitive members
    under ``shape``; each recursive shape is entered once per path. For tests and docs."""
    if _sensitive(shape):
        return [prefix or "."]
    if shape.name in seen:
        return []
    seen = seen | {shape.name}
    kind = shape.type_name
    if kind == "structure":
        return [p for name, m in shape.members.items()
                for p in sensitive_paths(m, f"{prefix}.{name}" if prefix else name, seen)]
    if kind == "list":
        return sensitive_paths(shape.member, f"{prefix}[]", seen)
    if kind == "map":
        return sensitive_paths(shape.value, f"{prefix}{{}}", seen)
    return []


_ACCESS_PARENT = re.compile(r"(?i)credential|auth|access|token|secret|password")


def secret_reason(service: str, operation: str) -> str | None:
    """Why an operation's purpose is a secret, from its output shape: a sensitive member
    named like a secret at the top of the answer (``SecretString``, ``Token``, ``DbPassword``)
    or inside a top-level credentials/auth/access structure (``Credentials.SessionToken``,
    ``AuthenticationResult.AccessToken``); ``None`` otherwise. Deeper sensitive members (a
    password inside a list of instances) are masked in the answer, not refused."""
    if not has_sensitive_output(service, operation):
        return None
    shape = output_shape(service, operation)
    if shape is None or shape.type_name != "structure":
        return None
    for name, member in shape.members.items():
        if _sensitive(member) and secret_name(name):
            return f"its answer's {name} is a secret (botocore: sensitive)"
        if member.type_name == "structure" and _ACCESS_PARENT.search(name):
            for inner, sub in member.members.items():
                if _sensitive(sub) and secret_name(inner):
                    return f"its answer's {name}.{inner} is a secret (botocore: sensitive)"
    return None
