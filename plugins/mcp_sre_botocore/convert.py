"""Turn one botocore ``service-2.json`` model into APISpec operations.

Schemas are built from shapes with cycles cut and nesting bounded, and memoised per
(shape, depth) so that 20,000 operations share their sub-schemas instead of each holding a
copy: memory stays proportional to the number of distinct shapes, not to the operations.
"""

from __future__ import annotations

import html
import re
from typing import Any

from mcp_sre.errors import SpecParseError
from mcp_sre.specs.jsonref import CYCLE_KEY, TRUNCATED_KEY
from mcp_sre.specs.model import Access, APISpec, Parameter, SourceInfo

__all__ = [
    "EXAMPLES_KEY",
    "READ_VERBS",
    "access_from_name",
    "convert_service",
    "example_titles",
    "first_sentence",
    "is_service_model",
    "service_titles",
    "strip_html",
]

# First camel-case word of an operation name that means "does not change state". Anything
# else is a write: unknown = write. ``Batch``/``Admin`` prefixes are looked through
# (BatchGetItem reads, BatchDeleteItem writes). Exceptions live in the aws plugin's classify.
READ_VERBS = frozenset({
    "Analyze", "Calculate", "Check", "Compare", "Count", "Describe", "Detect", "Estimate",
    "Filter", "Get", "Head", "Is", "List", "Lookup", "Preview", "Query", "Scan", "Search",
    "Select", "Simulate", "Validate", "View",
})
_PASS_THROUGH = frozenset({"Admin", "Batch"})
_FIRST_WORD = re.compile(r"[A-Z][a-z0-9]*")

PARAM_DEPTH = 3  # structure levels expanded in a parameter's json_schema
RETURN_DEPTH = 3  # structure levels expanded in return_schema (output shape counts as one)
MAX_NESTING = 12  # hard guard on list/map/structure nesting, whatever the depth budget
DESCRIPTION_CHARS = 2000
PARAM_DOC_CHARS = 400
NESTED_DOC_CHARS = 160
MAX_ENUM = 64
# Dotted or snake-case names a string's documentation lists ("deregistration_delay.timeout_seconds",
# "access_logs.s3.enabled"): the values a free-form key takes.
_DOCUMENTED_NAME = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:[._][a-z0-9]+)+(?![\w/-])")

_TAG = re.compile(r"<[^>]*>")
_SPACE_BEFORE_PUNCT = re.compile(r" (?=[.,;:!?)])")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(`\"'])")

_SCALARS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "character": {"type": "string"},
    "integer": {"type": "integer"},
    "long": {"type": "integer"},
    "short": {"type": "integer"},
    "byte": {"type": "integer"},
    "float": {"type": "number"},
    "double": {"type": "number"},
    "bigdecimal": {"type": "number"},
    "biginteger": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "timestamp": {"type": "string", "format": "date-time"},
    "blob": {"type": "string", "format": "byte"},
}
_LOCATIONS = {"uri": "path", "querystring": "query", "header": "header", "headers": "header"}


def access_from_name(operation: str) -> Access:
    """Read when the operation's verb says so; everything else is a write."""
    match = _FIRST_WORD.match(operation)
    if match is None:
        return "write"
    word = match.group(0)
    if word in _PASS_THROUGH and len(operation) > len(word):
        return access_from_name(operation[len(word):])
    return "read" if word in READ_VERBS else "write"


def strip_html(text: str, limit: int | None = None) -> str:
    """botocore documentation is HTML; keep the words, drop the markup.

    With ``limit``, only enough of the source is read to fill ``limit`` characters of text
    (markup rarely triples the length), which keeps parsing all of AWS fast."""
    if not text:
        return ""
    cut = limit is not None and len(text) > limit * 4
    if cut:
        text = text[: limit * 4]
    if "<" in text:
        text = _TAG.sub(" ", text)
        if cut and (i := text.rfind("<")) >= 0:  # a tag the cut left open
            text = text[:i]
    if "&" in text:
        text = html.unescape(text)
    text = " ".join(text.split())
    if " " in text:  # "<b>tree</b>." became "tree ."
        text = _SPACE_BEFORE_PUNCT.sub("", text)
    return text if limit is None else _bound(text, limit)


def _bound(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def first_sentence(text: str, limit: int = 300) -> str:
    parts = _SENTENCE_END.split(text, maxsplit=1)
    return _bound(parts[0] if parts else text, limit)


def is_service_model(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    meta = data.get("metadata")
    return (
        isinstance(meta, dict)
        and ("protocol" in meta or "apiVersion" in meta)
        and isinstance(data.get("operations"), dict)
        and isinstance(data.get("shapes"), dict)
    )


class _Schemas:
    """Shape -> JSON schema, memoised per (shape, depth); one instance per service."""

    def __init__(self, shapes: dict[str, Any], where: str) -> None:
        self.shapes = shapes
        self.where = where
        self.memo: dict[tuple[str, int], dict[str, Any]] = {}
        self.docs: dict[tuple[int, str], str] = {}
        self.names: dict[str, list[str]] = {}  # documentation -> the key names it lists
        self.stack: list[str] = []

    def shape(self, name: str) -> dict[str, Any]:
        shape = self.shapes.get(name)
        if not isinstance(shape, dict):
            raise SpecParseError(self.where, f"shape {name!r} is referenced but not defined",
                                 hint="the model file is truncated or from a broken build")
        return shape

    def doc(self, raw: str | None, limit: int) -> str:
        if not raw:
            return ""
        key = (limit, raw)
        cached = self.docs.get(key)
        if cached is None:
            cached = self.docs[key] = strip_html(raw, limit)
        return cached

    def documented_names(self, raw: str) -> list[str]:
        """The dotted or snake-case names ``raw`` lists, once per distinct documentation
        (members of shared shapes repeat it across operations)."""
        names = self.names.get(raw)
        if names is None:
            names = self.names[raw] = list(dict.fromkeys(_DOCUMENTED_NAME.findall(raw)))[:MAX_ENUM]
        return names

    def schema(self, name: str, depth: int) -> dict[str, Any]:
        shape = self.shape(name)
        kind = shape.get("type", "structure")
        if kind == "structure" and (name in self.stack or depth <= 0):
            mark = CYCLE_KEY if name in self.stack else TRUNCATED_KEY
            return {"type": "object", "title": name, mark: True}
        if len(self.stack) >= MAX_NESTING:
            return {"title": name, TRUNCATED_KEY: True}
        key = (name, depth if kind in ("structure", "list", "map") else -1)
        cached = self.memo.get(key)
        if cached is not None:
            return cached
        self.stack.append(name)
        try:
            result = self._build(name, shape, kind, depth)
        finally:
            self.stack.pop()
        self.memo[key] = result
        return result

    def _build(self, name: str, shape: dict[str, Any], kind: str, depth: int) -> dict[str, Any]:
        if kind == "structure":
            if shape.get("document"):
                return {"title": name, "description": "any JSON value"}
            props = {
                member_name: self.member(member, depth - 1)
                for member_name, member in (shape.get("members") or {}).items()
            }
            out: dict[str, Any] = {"type": "object", "title": name, "properties": props}
            required = [r for r in shape.get("required") or [] if r in props]
            if required:
                out["required"] = required
            if shape.get("union"):
                out["maxProperties"] = 1
            return out
        if kind == "list":
            return {"type": "array", "items": self.member(shape.get("member") or {}, depth)}
        if kind == "map":
            out = {"type": "object",
                   "additionalProperties": self.member(shape.get("value") or {}, depth)}
            key = shape.get("key") or {}
            keys = self.shape(key["shape"]).get("enum") if key.get("shape") else None
            if keys and len(keys) <= MAX_ENUM:  # a map keyed by a closed set names its fields
                out["propertyNames"] = {"enum": list(keys)}  # (GetQueueAttributes' Attributes)
            return out
        out = dict(_SCALARS.get(kind, {"type": "string"}))
        enum = shape.get("enum")
        if enum:
            out["enum"] = list(enum[:MAX_ENUM])
        for key in ("min", "max"):
            if key in shape and kind != "timestamp":
                bound = {"string": f"{key}Length", "blob": f"{key}Length"}.get(kind)
                out[bound or ("minimum" if key == "min" else "maximum")] = shape[key]
        if shape.get("pattern") and kind == "string":
            out["pattern"] = shape["pattern"]
        return out

    def member(self, member: dict[str, Any], depth: int) -> dict[str, Any]:
        target = member.get("shape")
        if not target:
            return {}
        base = self.schema(target, depth)
        if depth < 1:  # the deepest level carries types only: keeps schemas small
            return base
        raw = member.get("documentation")
        doc = self.doc(raw, NESTED_DOC_CHARS)
        out = {**base, "description": doc} if doc else base
        if raw and base.get("type") == "string" and "enum" not in base:
            names = self.documented_names(raw)
            if len(names) >= 3:  # a key whose documentation lists the names it takes
                out = {**out, "examples": names}  # (a target group's attribute keys)
        return out


def _parameters(schemas: _Schemas, input_name: str | None) -> list[Parameter]:
    if not input_name:
        return []
    shape = schemas.shape(input_name)
    required = set(shape.get("required") or [])
    params: list[Parameter] = []
    schemas.stack.append(input_name)
    try:
        for name, member in (shape.get("members") or {}).items():
            target = member.get("shape", "")
            schema = schemas.schema(target, PARAM_DEPTH) if target else {}
            raw_doc = member.get("documentation") or schemas.shape(target).get("documentation")
            params.append(Parameter(
                name=name,
                location=_LOCATIONS.get(member.get("location", ""), "body"),
                type=str(schema.get("type", "object")),
                required=name in required,
                description=schemas.doc(raw_doc, PARAM_DOC_CHARS),
                json_schema=schema,
            ))
    finally:
        schemas.stack.pop()
    return params


def _slim_raw(op: dict[str, Any], refs: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The operation as written, minus its HTML documentation (kept, stripped, in
    ``description``); ``{"shape": X}`` references are shared across a service's operations."""
    raw = {k: v for k, v in op.items() if k != "documentation"}
    errors = raw.get("errors")
    if isinstance(errors, list):
        raw["errors"] = [
            refs.setdefault(e["shape"], e) if isinstance(e, dict) and len(e) == 1
            and isinstance(e.get("shape"), str) else e
            for e in errors
        ]
    return raw


# Keys this plugin adds to ``APISpec.raw`` for search (generic names the retrieval index reads;
# nothing there knows about AWS): human names of the service, and the titles of the examples
# botocore ships for the operation ("To describe an instance").
TITLE_KEY, TITLES_KEY, EXAMPLES_KEY = "x-service-title", "x-service-titles", "x-example-titles"
# 0..1 prior that a request means this operation rather than a namesake in another service:
# 1 when botocore ships examples for it (AWS documents its most used operations that way),
# 0.5 when a waiter polls it (the canonical "what state is it in" read of a resource).
POPULARITY_KEY = "x-popularity"
MAX_EXAMPLE_TITLES = 8


def service_titles(metadata: dict[str, Any]) -> dict[str, Any]:
    """``x-service-title`` (serviceFullName) and ``x-service-titles`` (serviceId,
    serviceAbbreviation): the names a request may use for the service ("DocumentDB")."""
    full = str(metadata.get("serviceFullName") or "").strip()
    others: list[str] = []
    for key in ("serviceId", "serviceAbbreviation"):
        name = str(metadata.get(key) or "").strip()
        if name and name != full and name not in others:
            others.append(name)
    out: dict[str, Any] = {}
    if full:
        out[TITLE_KEY] = full
    if others:
        out[TITLES_KEY] = others
    return out


def example_titles(examples: dict[str, Any] | None) -> dict[str, list[str]]:
    """Operation -> the titles of its examples in an ``examples-1.json`` mapping."""
    out: dict[str, list[str]] = {}
    for op, items in (examples or {}).items():
        if not isinstance(items, list):
            continue
        titles = []
        for item in items:
            title = " ".join(str(item.get("title") or "").split()) if isinstance(item, dict) else ""
            if title and title not in titles:
                titles.append(title)
        if titles:
            out[str(op)] = titles[:MAX_EXAMPLE_TITLES]
    return out


def _search_hints(op_name: str, shown: dict[str, list[str]], polled: set[str]) -> dict[str, Any]:
    if op_name in shown:
        return {EXAMPLES_KEY: shown[op_name], POPULARITY_KEY: 1.0}
    return {POPULARITY_KEY: 0.5} if op_name in polled else {}


def _pagination(config: dict[str, Any] | None) -> dict[str, Any] | None:
    if not isinstance(config, dict) or "input_token" not in config:
        return None
    keys = ("input_token", "output_token", "limit_key", "result_key", "more_results")
    return {k: config[k] for k in keys if k in config}


def convert_service(
    model: dict[str, Any],
    *,
    service: str,
    provider: str,
    info: SourceInfo,
    paginators: dict[str, Any] | None = None,
    examples: dict[str, Any] | None = None,
    waiters: dict[str, Any] | None = None,
    where: str = "",
) -> list[APISpec]:
    """One APISpec per operation. ``where`` names the source in error messages;
    ``examples`` is the ``examples`` mapping of the service's ``examples-1.json``,
    ``waiters`` the ``waiters`` mapping of its ``waiters-2.json``."""
    where = where or info.name or service
    if not is_service_model(model):
        raise SpecParseError(where, "not a botocore service model (needs metadata with "
                             "protocol/apiVersion, operations and shapes)")
    uid = model["metadata"].get("uid", "")
    schemas = _Schemas(model["shapes"], where)
    pages = paginators or {}
    titles = service_titles(model["metadata"])
    shown = example_titles(examples)
    polled = {str(w.get("operation")) for w in (waiters or {}).values() if isinstance(w, dict)}
    refs: dict[str, dict[str, str]] = {}
    specs: list[APISpec] = []
    for op_name, op in model["operations"].items():
        if not isinstance(op, dict):
            raise SpecParseError(where, f"operation {op_name!r} is not an object")
        http = op.get("http") or {}
        doc = strip_html(op.get("documentation", ""), DESCRIPTION_CHARS)
        input_name = (op.get("input") or {}).get("shape")
        output_name = (op.get("output") or {}).get("shape", "")
        try:
            params = _parameters(schemas, input_name)
            returns = schemas.schema(output_name, RETURN_DEPTH) if output_name else None
        except SpecParseError as exc:
            raise SpecParseError(where, f"operation {op_name}: {exc.problem}",
                                 hint=exc.hint) from exc
        specs.append(APISpec(
            id=APISpec.make_id(provider, service, op_name),
            name=op_name,
            provider=provider,
            service=service,
            method=http.get("method", "POST"),
            endpoint=http.get("requestUri", "/"),
            summary=first_sentence(doc),
            description=doc,
            parameters=params,
            return_type=output_name,
            return_schema=returns,
            documentation_url=f"https://docs.aws.amazon.com/goto/WebAPI/{uid}/{op_name}"
            if uid else "",
            access=access_from_name(op_name),
            pagination=_pagination(pages.get(op_name)),
            deprecated=bool(op.get("deprecated", False)),
            source=info,
            raw={**_slim_raw(op, refs), **titles, **_search_hints(op_name, shown, polled)},
        ))
    return specs
