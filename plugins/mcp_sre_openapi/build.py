"""Build APISpec operations from a loaded OpenAPI 3.x or Swagger 2.0 document.

Both formats share the shape that matters here (``paths`` -> path item -> method -> operation
with ``parameters`` and ``responses``); they differ in where schemas sit, so one builder serves
both with a ``dialect`` switch. The swagger plugin imports it from here.

Schemas are resolved lazily through :class:`mcp_sre.specs.jsonref.RefResolver`: only what an
operation uses, memoised, cycles cut, bounded in depth and size. Source options read here:

- ``external_refs``: ``"error"`` (default) or ``"stub"`` to leave refs to other files in place;
- ``max_depth`` / ``max_chars``: bounds of each resolved schema (default 4 refs / ~48 KB);
- ``use_tags``: ``false`` to name the service from the source instead of the first tag.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from mcp_sre.errors import SpecParseError
from mcp_sre.specs.jsonref import Loader, RefResolver, load_document, ref_name
from mcp_sre.specs.model import APISpec, Parameter, SourceInfo, SpecSource

__all__ = ["HTTP_METHODS", "READ_METHODS", "Dialect", "build_operations", "normalise_service"]

Dialect = Literal["openapi", "swagger"]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Swagger 2.0 non-body parameters carry their schema inline, next to name/in/description.
_SWAGGER_SCHEMA_KEYS = (
    "type", "format", "items", "collectionFormat", "default", "enum", "maximum", "minimum",
    "exclusiveMaximum", "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems",
    "minItems", "uniqueItems", "multipleOf",
)  # fmt: skip
_FORM_MEDIA = ("application/x-www-form-urlencoded", "multipart/form-data")
_MAX_RAW_CHARS = 64_000
_MAX_EXAMPLE_CHARS = 8_000
_MAX_EXAMPLES = 5


def normalise_service(tag: str) -> str:
    """``Core V1`` / ``core_v1`` / ``Payment-Intents`` -> ``core_v1`` / ``payment_intents``."""
    return re.sub(r"[^a-z0-9]+", "_", tag.lower()).strip("_")


def build_operations(
    doc: Any, source: SpecSource, info: SourceInfo, dialect: Dialect,
    loader: Loader | None = None, base_uri: str = "",
) -> list[APISpec]:
    """One APISpec per (path, method). Raises :class:`SpecParseError` for a document without
    operations or with a dangling/external ``$ref`` in something an operation uses. A
    ``loader`` (with the document's ``base_uri``) follows refs into other files; plugins that
    ship copies of the files a format's specs share pass one."""
    name = source.name or info.url
    if not isinstance(doc, dict):
        raise SpecParseError(name, f"the {dialect} document is not a mapping")
    return _Builder(doc, source, info, dialect, loader, base_uri).build()


class _Builder:
    def __init__(self, doc: dict[str, Any], source: SpecSource, info: SourceInfo, dialect: Dialect,
                 loader: Loader | None = None, base_uri: str = ""):
        self.doc = doc
        self.source = source
        self.info = info
        self.dialect = dialect
        self.name = source.name or info.url
        opts = source.options
        self.resolver = RefResolver(
            doc,
            source=self.name,
            external="stub" if opts.get("external_refs") == "stub" else "error",
            loader=loader,
            base_uri=base_uri,
            max_depth=int(opts.get("max_depth", 4)),
            max_chars=int(opts.get("max_chars", 48_000)),
        )
        self._param_schemas: dict[tuple[int, str, str], dict[str, Any]] = {}
        self.use_tags = opts.get("use_tags", True) is not False
        self.fallback_service = normalise_service(source.service or source.name or "") or "api"
        docs = doc.get("externalDocs")
        self.root_docs_url = docs.get("url", "") if isinstance(docs, dict) else ""

    # ---- document -> operations ---------------------------------------------------------

    def build(self) -> list[APISpec]:
        paths: dict[str, Any] = {}
        for key in ("paths", "x-ms-paths"):  # x-ms-paths: Azure's overloaded paths
            if isinstance(self.doc.get(key), dict):
                paths.update(self.doc[key])
        specs: list[APISpec] = []
        seen: set[str] = set()
        for path, item in paths.items():
            item, base = self.resolver.deref(item)
            if not isinstance(item, dict):
                continue
            for method in HTTP_METHODS:
                op = item.get(method)
                if isinstance(op, dict):
                    spec = self._operation(str(path), method, item, op, base)
                    if spec.id in seen:  # synthesized or duplicated ids stay unique
                        n = 2
                        while f"{spec.id}_{n}" in seen:
                            n += 1
                        spec = spec.model_copy(
                            update={"id": f"{spec.id}_{n}", "name": f"{spec.name}_{n}"}
                        )
                    seen.add(spec.id)
                    specs.append(spec)
        if not specs:
            raise SpecParseError(self.name, f"the {self.dialect} document defines no operations",
                                 hint="it has no 'paths' with HTTP methods")
        return specs

    def _operation(
        self, path: str, method: str, item: dict[str, Any], op: dict[str, Any], base: str
    ) -> APISpec:
        op_name = op.get("operationId") or _synth_name(method, path)
        service = self._service(op)
        params, body = self._parameters(item, op, base)
        if self.dialect == "openapi" and "requestBody" in op:
            body, body_params = self._request_body(op["requestBody"], base)
            taken = {p.name for p in params}
            params += [p for p in body_params if p.name not in taken]
        return_type, return_schema, examples = self._response(op.get("responses"), base)
        examples = self._request_examples(op, base) + examples
        http = method.upper()
        description = str(op.get("description") or "")
        docs = op.get("externalDocs")
        return APISpec(
            id=APISpec.make_id(self.source.provider, service, str(op_name)),
            name=str(op_name),
            provider=self.source.provider,
            service=service,
            method=http,
            endpoint=path,
            summary=str(op.get("summary") or "") or _first_sentence(description),
            description=description,
            parameters=params,
            request_body=body,
            return_type=return_type,
            return_schema=return_schema,
            examples=examples[:_MAX_EXAMPLES],
            documentation_url=(docs.get("url", "") if isinstance(docs, dict) else "")
            or self.root_docs_url,
            access="read" if http in READ_METHODS else "write",
            pagination=_pagination(http, params, op),
            deprecated=bool(op.get("deprecated", False)),
            source=self.info,
            raw=_bounded(op),
        )

    def _service(self, op: dict[str, Any]) -> str:
        tags = op.get("tags")
        if self.use_tags and isinstance(tags, list) and tags and isinstance(tags[0], str):
            return normalise_service(tags[0]) or self.fallback_service
        return self.fallback_service

    # ---- parameters ---------------------------------------------------------------------

    def _parameters(
        self, item: dict[str, Any], op: dict[str, Any], base: str
    ) -> tuple[list[Parameter], dict[str, Any] | None]:
        """Path-item parameters overridden by operation ones (same name and location)."""
        merged: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        for raw in [*(item.get("parameters") or []), *(op.get("parameters") or [])]:
            param, pbase = self.resolver.deref(raw, base)
            if isinstance(param, dict) and isinstance(param.get("name"), str) and "in" in param:
                merged[(param["name"], str(param["in"]))] = (param, pbase)
        params: list[Parameter] = []
        body: dict[str, Any] | None = None
        for (pname, location), (param, pbase) in merged.items():
            schema = self._param_schema(param, location, pbase)
            if location == "body":
                body = schema
            params.append(
                Parameter(
                    name=pname,
                    location=location,
                    type=_type_of(schema, "object" if location == "body" else "string"),
                    required=bool(param.get("required", location == "path")),
                    description=str(param.get("description") or schema.get("description") or ""),
                    json_schema=schema,
                )
            )
        return params, body

    def _param_schema(self, param: dict[str, Any], location: str, base: str) -> dict[str, Any]:
        """Resolved schema of a parameter; shared ``$ref`` parameters are resolved once."""
        key = (id(param), location, base)  # ``param`` lives in the document: ids are stable
        if key not in self._param_schemas:
            self._param_schemas[key] = self._resolve_param_schema(param, location, base)
        return self._param_schemas[key]

    def _resolve_param_schema(
        self, param: dict[str, Any], location: str, base: str
    ) -> dict[str, Any]:
        if "schema" in param:  # OpenAPI 3, or a Swagger body parameter
            raw = param["schema"]
        elif isinstance(param.get("content"), dict):  # OpenAPI 3 complex parameter
            raw = _pick_media(param["content"])[1].get("schema", {})
        elif self.dialect == "swagger" and location != "body":
            raw = {k: param[k] for k in _SWAGGER_SCHEMA_KEYS if k in param}
        else:
            raw = {}
        schema = self.resolver.resolve(raw, base)
        return schema if isinstance(schema, dict) else {}

    # ---- request body (OpenAPI 3) -------------------------------------------------------

    def _request_body(
        self, raw: Any, base: str
    ) -> tuple[dict[str, Any] | None, list[Parameter]]:
        """The body schema, and its top-level fields as ``body``/``formData`` parameters."""
        rb, rbase = self.resolver.deref(raw, base)
        if not isinstance(rb, dict) or not isinstance(rb.get("content"), dict):
            return None, []
        media_type, media = _pick_media(rb["content"])
        schema = self.resolver.resolve(media.get("schema", {}), rbase)
        if not isinstance(schema, dict):
            return None, []
        location = "formData" if media_type in _FORM_MEDIA else "body"
        props = schema.get("properties")
        if props == {} and not schema.get("additionalProperties"):
            return None, []  # Stripe's GETs declare an empty form body
        if isinstance(props, dict) and props:
            listed = schema.get("required")
            required = {str(r) for r in listed} if isinstance(listed, list) else set()
            return schema, [
                Parameter(
                    name=str(field),
                    location=location,
                    type=_type_of(sub, "string"),
                    required=field in required,
                    description=str(sub.get("description") or ""),
                    json_schema=sub,
                )
                for field, sub in props.items()
                if isinstance(sub, dict)
            ]
        param = Parameter(
            name="body",
            location=location,
            type=_type_of(schema, "object"),
            required=bool(rb.get("required", False)),
            description=str(rb.get("description") or schema.get("description") or ""),
            json_schema=schema,
        )
        return schema, [param]

    # ---- responses and examples ---------------------------------------------------------

    def _response(
        self, responses: Any, base: str
    ) -> tuple[str, dict[str, Any] | None, list[dict[str, Any]]]:
        """Return type, schema and examples of the first success response (200, 201, 2xx)."""
        if not isinstance(responses, dict):
            return "", None, []
        by_code = {str(code): resp for code, resp in responses.items()}
        code = next(
            (c for c in ("200", "201", "202", "203", "2XX", "2xx") if c in by_code),
            next((c for c in sorted(by_code) if c.startswith("2")), None),
        )
        if code is None:
            return "", None, []
        resp, rbase = self.resolver.deref(by_code[code], base)
        if not isinstance(resp, dict):
            return "", None, []
        examples: list[dict[str, Any]] = []
        if self.dialect == "swagger":
            raw_schema = resp.get("schema")
            if isinstance(resp.get("examples"), dict):
                examples = [
                    {"kind": "response", "media_type": str(mt), "value": value}
                    for mt, value in resp["examples"].items()
                ]
        else:
            content = resp.get("content")
            if not isinstance(content, dict) or not content:
                return "", None, []
            media_type, media = _pick_media(content)
            raw_schema = media.get("schema")
            examples = _media_examples(media, "response", media_type)
        if raw_schema is None:
            return "", None, _small(examples)
        schema = self.resolver.resolve(raw_schema, rbase)
        schema = schema if isinstance(schema, dict) else {}
        return _type_name(raw_schema, schema), schema, _small(examples)

    def _request_examples(self, op: dict[str, Any], base: str) -> list[dict[str, Any]]:
        if self.dialect != "openapi" or "requestBody" not in op:
            return []
        rb, _ = self.resolver.deref(op["requestBody"], base)
        if not isinstance(rb, dict) or not isinstance(rb.get("content"), dict):
            return []
        media_type, media = _pick_media(rb["content"])
        return _small(_media_examples(media, "request", media_type))


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _synth_name(method: str, path: str) -> str:
    """``get /v1/customers/{id}`` -> ``get_v1_customers_id`` for operations without an id."""
    return re.sub(r"[^A-Za-z0-9]+", "_", f"{method}_{path}").strip("_")


def _first_sentence(text: str, limit: int = 200) -> str:
    line = re.sub(r"<[^>]+>", "", text).strip().split("\n", 1)[0]
    end = line.find(". ")
    line = line[: end + 1] if end >= 0 else line
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _pick_media(content: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Prefer JSON, then form encodings, then whatever comes first."""
    types = [str(t) for t in content]
    choice = (
        next((t for t in types if t.split(";")[0].strip() == "application/json"), None)
        or next((t for t in types if "json" in t), None)
        or next((t for t in types if t in _FORM_MEDIA), None)
        or (types[0] if types else "")
    )
    media = content.get(choice) if choice else None
    return choice, media if isinstance(media, dict) else {}


def _media_examples(media: dict[str, Any], kind: str, media_type: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if "example" in media:
        out.append({"kind": kind, "media_type": media_type, "value": media["example"]})
    if isinstance(media.get("examples"), dict):
        for name, ex in media["examples"].items():
            if isinstance(ex, dict) and "value" in ex:  # $ref'd examples are skipped
                out.append(
                    {"kind": kind, "media_type": media_type, "name": str(name),
                     "value": ex["value"]}
                )  # fmt: skip
    return out


def _small(examples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in examples if _json_size(e) <= _MAX_EXAMPLE_CHARS][:_MAX_EXAMPLES]


def _json_size(value: Any) -> int:
    try:
        return len(json.dumps(value, default=str))
    except (TypeError, ValueError, RecursionError):
        return _MAX_RAW_CHARS + 1


def _type_of(schema: dict[str, Any], default: str) -> str:
    """A JSON-schema-like type name: ``string``, ``object``, ``integer|string`` for unions."""
    t = schema.get("type")
    if isinstance(t, str):
        return t
    if isinstance(t, list):
        named = [str(x) for x in t if x != "null"]
        return "|".join(named) if named else "null"
    for key in ("anyOf", "oneOf", "allOf"):
        branches = schema.get(key)
        if isinstance(branches, list) and branches:
            names: list[str] = []
            for b in branches:
                name = _type_of(b, "") if isinstance(b, dict) else ""
                if name and name not in names:
                    names.append(name)
            if names:
                return names[0] if key == "allOf" else "|".join(names)
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return default


def _type_name(raw: Any, schema: dict[str, Any]) -> str:
    """Name of a returned type: the ref's name (``io.k8s.api.core.v1.PodList``), ``array[X]``,
    else the schema's title or type."""
    if isinstance(raw, dict):
        if isinstance(raw.get("$ref"), str):
            return ref_name(raw["$ref"])
        items = raw.get("items")
        if isinstance(items, dict) and isinstance(items.get("$ref"), str):
            return f"array[{ref_name(items['$ref'])}]"
    return str(schema.get("title") or _type_of(schema, ""))


def _pagination(http: str, params: list[Parameter], op: dict[str, Any]) -> dict[str, Any] | None:
    """Paging hints when they are obvious from parameter names (reads only)."""
    pageable = op.get("x-ms-pageable")
    if isinstance(pageable, dict):
        return {"style": "next_link", "next_link_field": pageable.get("nextLinkName") or "nextLink"}
    if http != "GET":
        return None
    query = {p.name.lower(): p.name for p in params if p.location == "query"}
    limit = next((query[k] for k in ("limit", "maxresults", "max_results", "pagesize",
                                     "page_size", "per_page", "max_items") if k in query), None)  # fmt: skip
    if "continue" in query and limit:
        return {"style": "token", "token_param": query["continue"], "limit_param": limit,
                "next_token_field": "metadata.continue"}  # fmt: skip
    if "starting_after" in query:
        return {"style": "cursor", "cursor_param": query["starting_after"], "limit_param": limit,
                "next_cursor": "id of the last item in data", "has_more_field": "has_more"}  # fmt: skip
    if "pagetoken" in query or "page_token" in query:
        token = query.get("pagetoken") or query["page_token"]
        return {"style": "token", "token_param": token, "limit_param": limit,
                "next_token_field": "nextPageToken"}  # fmt: skip
    if "page" in query and limit:
        return {"style": "page", "page_param": query["page"], "size_param": limit}
    if "marker" in query:
        return {"style": "token", "token_param": query["marker"], "limit_param": limit}
    if "offset" in query and limit:
        return {"style": "offset", "offset_param": query["offset"], "limit_param": limit}
    return None


def _bounded(op: dict[str, Any]) -> dict[str, Any]:
    """The operation as written, or a trimmed copy (long strings cut, deep nesting elided) if it
    is larger than ``_MAX_RAW_CHARS`` as JSON."""
    if _json_size(op) <= _MAX_RAW_CHARS:
        return op
    trimmed = _trim(op, 0)
    return trimmed if isinstance(trimmed, dict) else {}


def _trim(node: Any, depth: int) -> Any:
    if isinstance(node, str):
        return node if len(node) <= 300 else node[:299] + "…"
    if depth >= 6 and isinstance(node, dict | list) and node:
        return {"x-elided": True} if isinstance(node, dict) else ["…"]
    if isinstance(node, dict):
        return {str(k): _trim(v, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [_trim(v, depth + 1) for v in node]
    return node


_DIALECTS = {"openapi": ("openapi", "3.", "an OpenAPI 3"), "swagger": ("swagger", "2.", "a Swagger 2.0")}


def parse_dialect(fmt: str, content: bytes, source: SpecSource, info: SourceInfo) -> list[APISpec]:
    """Load a document of ``fmt`` ("openapi" or "swagger"), check its version field, build its
    operations. A document of the other dialect gets a hint to use the other format."""
    key, prefix, label = _DIALECTS[fmt]
    other = "swagger" if fmt == "openapi" else "openapi"
    other_key, other_prefix, other_label = _DIALECTS[other]
    name = source.name or info.url
    doc = load_document(content, name)
    version = str(doc.get(key, "")) if isinstance(doc, dict) else ""
    if not version.startswith(prefix):
        is_other = isinstance(doc, dict) and str(doc.get(other_key, "")).startswith(other_prefix)
        raise SpecParseError(
            name, f"not {label} document ({key}: {version or 'missing'})",
            hint=f"this is {other_label.split(' ', 1)[1]}: use format '{other}'" if is_other else None,
        )
    return build_operations(doc, source, info, fmt)
