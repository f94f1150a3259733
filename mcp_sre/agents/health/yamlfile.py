"""Load YAML into a pydantic model and, when it does not fit, name the file and line.

A typo in a thresholds or mapping file should read ``health.yaml line 12: metrics.cpu.wran:
unknown field`` -- not a traceback and not a silently ignored key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from mcp_sre.errors import ValidationError

__all__ = ["ConfigFileError", "load_file", "load_model", "node_line", "read_yaml"]

M = TypeVar("M", bound=BaseModel)


class ConfigFileError(ValidationError):
    """A YAML file that is not YAML, or does not fit its schema; the message names the line."""


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str, label: str) -> tuple[Any, str]:
    """Parsed data, and the text again (its node tree is built only to name a bad line)."""
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigFileError(f"{label}{where}: not valid YAML: {problem}") from None
    return data, text


def node_line(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the deepest node on ``loc`` (a pydantic error location)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    line = key.start_mark.line + 1
                    node = value
                    break
            else:
                return line
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def load_model(model: type[M], data: Any, text: str | None, label: str) -> M:
    """Validate ``data``; on failure the error names the first bad field and its line."""
    try:
        return model.model_validate(data if data is not None else {})
    except PydanticError as exc:
        node = yaml.compose(text, Loader=_LOADER) if text else None
        problems = []
        for err in exc.errors()[:3]:
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
            line = node_line(node, loc)
            where = f" line {line}" if line else ""
            dotted = ".".join(str(p) for p in loc) or "(top)"
            msg = "unknown field (typo?)" if err["type"] == "extra_forbidden" else err["msg"]
            problems.append(f"{label}{where}: {dotted}: {msg}")
        raise ConfigFileError("; ".join(problems)) from None


def load_file(model: type[M], path: Path) -> M:
    text = path.read_text(encoding="utf-8")
    data, node = read_yaml(text, path.name)
    return load_model(model, data, node, str(path))
