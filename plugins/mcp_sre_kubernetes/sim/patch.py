"""PATCH bodies: JSON merge patch (RFC 7386) and JSON patch (RFC 6902).

A strategic merge patch is applied as a merge patch (lists are replaced, not merged by key);
server-side apply is not supported. Both are enough to prove a write reached the server.
"""

from __future__ import annotations

import copy
from typing import Any

from mcp_sre_kubernetes.sim.status import ApiStatusError

__all__ = ["apply_patch"]

MERGE_TYPES = ("application/merge-patch+json", "application/strategic-merge-patch+json")
JSON_PATCH = "application/json-patch+json"


def _merge(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = _merge(out.get(key), value)
    return out


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise ApiStatusError(422, "Invalid", f"invalid JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _json_patch(doc: Any, ops: Any) -> Any:
    if not isinstance(ops, list):
        raise ApiStatusError(400, "BadRequest", "a JSON patch must be a list of operations")
    doc = copy.deepcopy(doc)
    for op in ops:
        if not isinstance(op, dict) or op.get("op") not in ("add", "replace", "remove", "test"):
            raise ApiStatusError(422, "Invalid", f"unsupported JSON patch operation: {op!r}")
        parts = _pointer(str(op.get("path", "")))
        if not parts:
            raise ApiStatusError(422, "Invalid", "JSON patch on the whole document")
        parent = doc
        for part in parts[:-1]:
            parent = parent[int(part)] if isinstance(parent, list) else parent.get(part)
            if parent is None:
                raise ApiStatusError(422, "Invalid", f"path {op['path']!r} does not exist")
        last = parts[-1]
        if op["op"] == "test":
            current = parent[int(last)] if isinstance(parent, list) else parent.get(last)
            if current != op.get("value"):
                raise ApiStatusError(422, "Invalid", f"test failed at {op['path']!r}")
        elif op["op"] == "remove":
            if isinstance(parent, list):
                parent.pop(int(last))
            else:
                parent.pop(last, None)
        elif isinstance(parent, list):
            if last == "-":
                parent.append(op.get("value"))
            elif op["op"] == "add":
                parent.insert(int(last), op.get("value"))
            else:
                parent[int(last)] = op.get("value")
        else:
            parent[last] = op.get("value")
    return doc


def apply_patch(obj: dict[str, Any], body: Any, content_type: str) -> dict[str, Any]:
    media = content_type.split(";")[0].strip().lower()
    if media in MERGE_TYPES:
        if not isinstance(body, dict):
            raise ApiStatusError(400, "BadRequest", "a merge patch must be a JSON object")
        return _merge(obj, body)
    if media == JSON_PATCH:
        try:
            return _json_patch(obj, body)
        except (IndexError, ValueError, TypeError, AttributeError) as exc:
            raise ApiStatusError(422, "Invalid", f"JSON patch failed: {exc}") from exc
    raise ApiStatusError(
        415, "UnsupportedMediaType",
        f"the body of the request was in an unknown format - accepted media types include: "
        f"{', '.join((JSON_PATCH, *MERGE_TYPES))}",
    )
