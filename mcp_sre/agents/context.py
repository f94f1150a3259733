"""What a code writer needs to know, as text: the operations retrieved for the request, the
technique templates, the sandbox rules and the tool contract.

The same pieces feed the CodeGenerator's prompt and the context pack (the no-LLM path), so an
assistant writing the code itself sees exactly what a server-side model would.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, Field

from mcp_sre.errors import McpSreError
from mcp_sre.sandbox.checks import BANNED_MODULES
from mcp_sre.specs.model import APISpec, Parameter
from mcp_sre.toolcode.contract import CONTRACT_TEXT

__all__ = [
    "REPLY_FORMAT",
    "SANDBOX_RULES",
    "OperationFinder",
    "Template",
    "format_operation",
    "lessons_section",
    "load_templates",
    "retrieval_finder",
    "system_prompt",
    "user_prompt",
]

TEMPLATES_DIR = Path(__file__).parent / "templates"
_FIRST_SENTENCE = re.compile(r"(.+?[.!?])(\s|$)", re.S)

_BANNED = textwrap.fill(", ".join(sorted(m for m in BANNED_MODULES if not m.startswith("_"))),
                        width=92, subsequent_indent="  ")
SANDBOX_RULES = f"""\
The code runs in a sandbox: CPython 3.11 compiled to WebAssembly.
- No file system writes, no network, no subprocesses, no threads, an empty environment:
  credentials never reach the code; the host signs every call.
- Cloud access only over the bridge: `import sre` then `sre.call("provider/service/Operation",
  **params)` (any provider), `sre.paginate(op, **params)` / `sre.pages(op, params,
  max_items=N)` (every page of a paginated operation), `sre.describe(op)` (its parameters and
  pagination). SDK-shaped shims forward to the same bridge (e.g. `boto3.client("ec2")`).
- Parameter names are the spec's, exactly as listed below (case matters). The host checks
  every call against the spec: an unknown parameter raises sre.ParamValidationError naming
  the valid ones.
- Read-only: write operations and reads of secret material are refused (sre.PolicyDenied).
  Cloud errors raise sre.ProviderError (.code, .status). Do not catch these to hide them.
- Responses are JSON data: timestamps are ISO 8601 strings, not datetime objects.
- Bound every loop over a paginated API (a page cap or max_items). Keep output small.
- Standard library only (json, datetime, time, re, math, statistics, collections, itertools,
  functools, random). Refused: exec/eval/compile/__import__/globals/open(..., "w") and the
  modules {_BANNED}.
"""

REPLY_FORMAT = """\
Reply in exactly this layout, with complete code in both blocks (no "..." placeholders):

NAME: <lower_snake_case tool name, 3-64 characters>
DESCRIPTION: <one sentence: what the tool returns>
```python code
<the CODE>
```
```python test
<the TEST>
```
"""


class OperationFinder(Protocol):
    """Returns the operations most useful for a request (best first)."""

    def __call__(self, request: str, providers: list[str] | None,
                 limit: int) -> list[APISpec]: ...


class Template(BaseModel):
    """A generic coding technique (never a business function)."""

    name: str = Field(description="File stem, e.g. pagination")
    title: str = Field(description="What the technique is")
    when: str = Field(description="When to use it")
    code: str = Field(description="The template source")


@lru_cache(maxsize=1)
def _templates() -> tuple[Template, ...]:
    found = []
    for path in sorted(TEMPLATES_DIR.glob("*.py.txt")):
        text = path.read_text(encoding="utf-8")
        header = [ln[1:].strip() for ln in text.splitlines() if ln.startswith("#")]
        title = next((h.split(":", 1)[1].strip() for h in header
                      if h.lower().startswith("technique:")), path.stem)
        when_lines: list[str] = []
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            if line[1:].strip().lower().startswith("when:") or when_lines:
                when_lines.append(line[1:].strip())
        when = " ".join(when_lines)[len("when:"):].strip() if when_lines else ""
        found.append(Template(name=path.name.removesuffix(".py.txt"), title=title, when=when,
                              code=text))
    return tuple(found)


def load_templates(names: Iterable[str] | None = None) -> list[Template]:
    """The technique templates shipped in ``agents/templates/`` (all, or the named ones)."""
    wanted = set(names) if names is not None else None
    return [t for t in _templates() if wanted is None or t.name in wanted]


# --------------------------------------------------------------------------- operations
def _first_sentence(text: str, limit: int = 200) -> str:
    text = re.sub(r"<[^>]+>", " ", text or "")
    text = re.sub(r"\s+", " ", text).strip()
    m = _FIRST_SENTENCE.match(text)
    out = m.group(1) if m else text
    return out if len(out) <= limit else out[: limit - 1].rstrip() + "…"


def _schema_shape(schema: dict[str, Any], depth: int = 0) -> str:
    """A compact type expression: ``[{Name: string, Values: [string]}]``."""
    if not isinstance(schema, dict) or not schema:
        return "any"
    if "enum" in schema and isinstance(schema["enum"], list):
        values = [str(v) for v in schema["enum"][:8]]
        more = "|…" if len(schema["enum"]) > 8 else ""
        return "|".join(values) + more
    kind = schema.get("type")
    if kind == "array":
        return f"[{_schema_shape(schema.get('items') or {}, depth + 1)}]"
    if kind == "object" or "properties" in schema:
        props = schema.get("properties") or {}
        if not props:
            return "object"
        if depth >= 2:
            return "{" + ", ".join(list(props)[:6]) + (", …" if len(props) > 6 else "") + "}"
        inner = [f"{k}: {_schema_shape(v, depth + 1)}" for k, v in list(props.items())[:8]]
        return "{" + ", ".join(inner) + (", …" if len(props) > 8 else "") + "}"
    for combo in ("anyOf", "oneOf"):
        if isinstance(schema.get(combo), list):
            return " or ".join(_schema_shape(s, depth + 1) for s in schema[combo][:3])
    fmt = schema.get("format")
    return f"{kind or 'any'}{f' ({fmt})' if fmt else ''}"


def _param_line(p: Parameter) -> str:
    shape = _schema_shape(p.json_schema) if p.json_schema else p.type
    flag = "required" if p.required else "optional"
    desc = _first_sentence(p.description, 160)
    return f"  - {p.name} ({shape}, {flag}{', ' + p.location if p.location in ('path', 'query') else ''})" + (
        f": {desc}" if desc else "")


def format_operation(spec: APISpec, *, max_params: int = 25, max_chars: int = 2400) -> str:
    """One operation as a code writer needs it: id, what it does, parameters, pagination,
    an example call."""
    lines = [f"### {spec.id}  ({spec.access}{', deprecated' if spec.deprecated else ''})"]
    summary = _first_sentence(spec.summary or spec.description, 240)
    if summary:
        lines.append(summary)
    params = sorted(spec.parameters, key=lambda p: (not p.required, p.name != "namespace"))
    if params:
        lines.append("Parameters:")
        lines.extend(_param_line(p) for p in params[:max_params])
        if len(params) > max_params:
            lines.append(f"  - … {len(params) - max_params} more (sre.describe({spec.id!r}))")
    else:
        lines.append("Parameters: none")
    if spec.pagination:
        lines.append("Pagination: " + json.dumps(spec.pagination, ensure_ascii=False,
                                                 sort_keys=True))
    if spec.return_type:
        lines.append(f"Returns: {spec.return_type}")
    required = [p for p in spec.parameters if p.required]
    args = ", ".join(f"{p.name}=..." for p in required)
    lines.append(f'Call: sre.call("{spec.id}"{", " + args if args else ""})')
    if spec.examples:
        example = json.dumps(spec.examples[0], ensure_ascii=False, default=str)
        lines.append("Example from the spec: " + (example if len(example) <= 500
                                                  else example[:500] + "…"))
    text = "\n".join(lines)
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def retrieval_finder(retriever: Any, lookup: Callable[[str], APISpec]) -> OperationFinder:
    """An :class:`OperationFinder` over the retrieval index and the spec catalog."""

    def find(request: str, providers: list[str] | None, limit: int) -> list[APISpec]:
        hits: list[Any] = []
        for provider in providers or [None]:  # type: ignore[list-item]
            try:
                hits.extend(retriever.search(request, provider=provider, top_k=limit,
                                             decompose=True))  # every part of the request
            except McpSreError:
                if providers and len(providers) > 1:
                    continue  # one unknown provider must not hide the others
                raise
        hits.sort(key=lambda h: -float(getattr(h, "score", 0.0)))
        specs: list[APISpec] = []
        for hit in hits:
            if len(specs) >= limit:
                break
            try:
                spec = lookup(hit.id)
            except McpSreError:
                continue
            if spec.id not in {s.id for s in specs}:
                specs.append(spec)
        return specs

    return find


# ------------------------------------------------------------------------------ prompts
def system_prompt() -> str:
    return ("You write small, correct, read-only Python programs that answer SRE questions "
            "against live cloud APIs, and a test for each. Use only the operations and "
            "parameter names given to you; fix your code from the observations you get back.\n\n"
            f"SANDBOX RULES\n{SANDBOX_RULES}\nTOOL CONTRACT\n{CONTRACT_TEXT}\nREPLY FORMAT\n"
            f"{REPLY_FORMAT}")


def lessons_section(notes: list[str]) -> str:
    """Notes learned from earlier runs on these operations (error -> what fixed it)."""
    return "LESSONS FROM EARLIER RUNS (errors made before with these operations, and the " \
        "fix)\n" + "\n".join(f"- {n}" for n in notes)


def user_prompt(request: str, operations: list[APISpec], templates: list[Template],
                providers: list[str] | None) -> str:
    parts = [f"REQUEST\n{request.strip()}"]
    if providers:
        parts.append("Enabled providers: " + ", ".join(providers))
    if operations:
        parts.append("OPERATIONS (from the live API specs, best match first; use these ids "
                      "and parameter names exactly)\n\n" + "\n\n".join(
                          format_operation(s) for s in operations))
    else:
        parts.append("OPERATIONS\nRetrieval found no operation for this request; use "
                     "sre.describe(op) on ids you are sure of, or explain in the test why "
                     "the request cannot be served.")
    if templates:
        parts.append("TECHNIQUES (generic templates; adapt them, do not paste unused parts)\n\n"
                     + "\n\n".join(f"-- {t.name}: {t.title}\n{t.code.strip()}"
                                   for t in templates))
    parts.append("Write the CODE and the TEST now, in the reply format.")
    return "\n\n".join(parts)
