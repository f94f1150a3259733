"""Turn a Google API discovery document (``discovery#restDescription``) into APISpecs.

Discovery ``$ref``s are bare schema names (``{"$ref": "Instance"}``), so a small resolver
here is enough: it inlines schemas with cycles cut (``x-cycle``) and nesting bounded
(``x-truncated``, the markers of :mod:`mcp_sre.specs.jsonref`), memoised per
(schema, depth) so that methods share sub-schemas.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from mcp_sre.errors import SpecParseError
from mcp_sre.specs.jsonref import CYCLE_KEY, TRUNCATED_KEY
from mcp_sre.specs.model import Access, APISpec, Parameter, SourceInfo, SpecSource

__all__ = ["DISCOVERY_KIND", "access_for", "convert_document", "iter_methods", "operation_words"]

DISCOVERY_KIND = "discovery#restDescription"
SCHEMA_DEPTH = 4  # $ref levels inlined in request/response schemas
DESCRIPTION_CHARS = 2000
PARAM_DOC_CHARS = 400
NESTED_DOC_CHARS = 160
MAX_ENUM = 64

# Last segment of a method id that reads even when the verb is POST (logging.entries.list,
# projects.getIamPolicy, monitoring timeSeries.query, testIamPermissions). A bare ``get``
# prefix is not enough: monitoring's POST getVerificationCode hands out a credential.
_READ_NAMES = frozenset({
    "aggregatedList", "batchGet", "get", "getHealth", "getIamPolicy", "list", "lookup",
    "query", "search", "testIamPermissions",
})
_READ_PREFIXES = ("list", "search", "batchGet")
_NOT_RESULTS = frozenset({"errors", "executionErrors", "unreachable", "warnings"})
_COPY_KEYS = ("type", "format", "pattern", "default", "minimum", "maximum", "readOnly")


def _bound(text: str, limit: int) -> str:
    text = " ".join(text.split()) if "\n" in text or "  " in text else text
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    end = flat.find(". ")
    return _bound(flat[: end + 1] if end > 0 else flat, 300)


def access_for(method: dict[str, Any]) -> Access:
    """GET reads; another verb reads only when the method's name says it does."""
    verb = str(method.get("httpMethod", "")).upper()
    if verb in ("GET", "HEAD"):
        return "read"
    if verb != "POST":
        return "write"
    last = str(method.get("id", "")).rsplit(".", 1)[-1]
    if last in _READ_NAMES:
        return "read"
    for prefix in _READ_PREFIXES:
        if last.startswith(prefix) and last[len(prefix):][:1].isupper():
            return "read"
    return "write"


# Parents that scope a resource without naming what a request is about (a project is what a
# request means when it names none; folders, organizations and billing accounts are named).
_SCOPES = frozenset({"projects", "locations", "zones", "regions", "global"})


def operation_words(method_id: str) -> str:
    """The method id as a verb-first phrase for search (``x-operation-words``):
    ``compute.instances.list`` -> "list instances"; ``container.projects.locations.clusters.
    nodePools.list`` -> "list node Pools for clusters"; ``compute.instances.aggregatedList`` ->
    "list instances in all zones"; ``compute.instances.getSerialPortOutput`` -> "get Serial
    Port Output of instances"."""
    parts = method_id.split(".")[1:]
    if not parts:
        return method_id
    method, resources = parts[-1], parts[:-1]
    resource = resources[-1] if resources else ""
    parents = [r for r in reversed(resources[:-1]) if r not in _SCOPES]
    if method == "aggregatedList":
        words = ["list", resource, "in all zones"]
    else:
        head, _, rest = re.sub(r"([A-Z])", r" \1", method).partition(" ")
        words = [head, rest, "of", resource] if rest and resource else [head, rest, resource]
    if parents:
        words += ["for", *parents]
    return " ".join(w for w in words if w)


def _returned_items(doc: dict[str, Any], response_ref: str) -> str:
    """"Returns TimeSeries: A collection of data points that describes the time-varying values
    of a metric." for a list method: what its items are, in the schema's own words (a method's
    description rarely says what its resource is)."""
    schemas = doc.get("schemas") or {}
    props = (schemas.get(response_ref) or {}).get("properties") or {}
    for name, prop in props.items():
        if name in _NOT_RESULTS or not isinstance(prop, dict) or prop.get("type") != "array":
            continue
        ref = (prop.get("items") or {}).get("$ref")
        text = str((schemas.get(ref) or {}).get("description") or "") if ref else ""
        if text:
            return f"Returns {ref}: {_first_sentence(text)}"
    return ""


def iter_methods(node: dict[str, Any], trail: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(resource path, method) for every method, resources nested to any depth."""
    for name, method in (node.get("methods") or {}).items():
        if isinstance(method, dict):
            yield f"{trail}.{name}" if trail else name, method
    for name, resource in (node.get("resources") or {}).items():
        if isinstance(resource, dict):
            yield from iter_methods(resource, f"{trail}.{name}" if trail else name)


class _Schemas:
    """Bare-name $ref resolver with cycle cut, depth bound and memo."""

    def __init__(self, schemas: dict[str, Any], where: str) -> None:
        self.schemas = schemas
        self.where = where
        self.memo: dict[tuple[str, int], dict[str, Any]] = {}
        self.stack: list[str] = []

    def ref(self, name: str, depth: int) -> dict[str, Any]:
        target = self.schemas.get(name)
        if not isinstance(target, dict):
            raise SpecParseError(self.where, f"$ref {name!r} is not defined in schemas",
                                 hint="the discovery document is truncated or inconsistent")
        if name in self.stack or depth <= 0:
            mark = CYCLE_KEY if name in self.stack else TRUNCATED_KEY
            return {"type": target.get("type", "object"), "title": name, mark: True}
        cached = self.memo.get((name, depth))
        if cached is not None:
            return cached
        self.stack.append(name)
        try:
            result = {"title": name, **self.node(target, depth - 1, top=True)}
        finally:
            self.stack.pop()
        self.memo[(name, depth)] = result
        return result

    def node(self, node: dict[str, Any], depth: int, *, top: bool = False) -> dict[str, Any]:
        if "$ref" in node:
            base = self.ref(str(node["$ref"]), depth + 1 if top else depth)
            doc = node.get("description")
            return {**base, "description": _bound(doc, NESTED_DOC_CHARS)} if doc else base
        out: dict[str, Any] = {k: node[k] for k in _COPY_KEYS if k in node}
        if node.get("description") and not top:
            out["description"] = _bound(node["description"], NESTED_DOC_CHARS)
        if node.get("enum"):
            out["enum"] = list(node["enum"][:MAX_ENUM])
        if isinstance(node.get("properties"), dict):
            out.setdefault("type", "object")
            out["properties"] = {
                key: self.node(value, depth) for key, value in node["properties"].items()
                if isinstance(value, dict)
            }
        if isinstance(node.get("items"), dict):
            out["items"] = self.node(node["items"], depth)
        if isinstance(node.get("additionalProperties"), dict):
            out["additionalProperties"] = self.node(node["additionalProperties"], depth)
        return out


def _required(spec: dict[str, Any]) -> bool:
    """Discovery marks only path parameters required; Google's generated docs mark the rest
    with a leading "Required." (the proto field's REQUIRED annotation)."""
    return bool(spec.get("required")) or str(spec.get("description", "")).startswith("Required.")


def _parameter(name: str, spec: dict[str, Any], required: bool) -> Parameter:
    schema: dict[str, Any] = {k: spec[k] for k in _COPY_KEYS if k in spec and k != "readOnly"}
    if spec.get("enum"):
        schema["enum"] = list(spec["enum"][:MAX_ENUM])
    if spec.get("repeated"):
        schema = {"type": "array", "items": schema}
    return Parameter(
        name=name,
        location=str(spec.get("location", "query")),
        type=str(schema.get("type", "string")),
        required=required,
        description=_bound(str(spec.get("description", "")), PARAM_DOC_CHARS),
        json_schema=schema,
    )


def _pagination(method: dict[str, Any], response: dict[str, Any] | None) -> dict[str, Any] | None:
    params = method.get("parameters") or {}
    props = (response or {}).get("properties") or {}
    if "pageToken" not in params or "nextPageToken" not in props:
        return None
    page: dict[str, Any] = {"input_token": "pageToken", "output_token": "nextPageToken"}
    limit = next((k for k in ("pageSize", "maxResults") if k in params), None)
    if limit:
        page["limit_key"] = limit
    arrays = {k: v for k, v in props.items() if isinstance(v, dict) and v.get("type") == "array"}
    if len(arrays) > 1:  # e.g. timeSeries beside executionErrors and unreachable
        arrays = {k: v for k, v in arrays.items() if k not in _NOT_RESULTS
                  and isinstance(v.get("items"), dict) and "title" in v["items"]}
    if len(arrays) == 1:
        page["result_key"] = next(iter(arrays))
    return page


def convert_document(doc: dict[str, Any], source: SpecSource, info: SourceInfo) -> list[APISpec]:
    if doc.get("kind") != DISCOVERY_KIND:
        raise SpecParseError(source.name, f"not a discovery document (kind={doc.get('kind')!r})")
    api = str(doc.get("name") or "")
    if not api:
        raise SpecParseError(source.name, "discovery document has no 'name'")
    service = source.service or api
    provider = source.provider
    base = doc.get("rootUrl", "") + doc.get("servicePath", "") if doc.get("rootUrl") \
        else str(doc.get("baseUrl", ""))
    schemas = _Schemas(doc.get("schemas") or {}, source.name)
    specs: list[APISpec] = []
    for trail, method in iter_methods(doc):
        method_id = str(method.get("id") or f"{api}.{trail}")
        try:
            request = schemas.ref(method["request"]["$ref"], SCHEMA_DEPTH) \
                if isinstance(method.get("request"), dict) and "$ref" in method["request"] else None
            response_ref = (method.get("response") or {}).get("$ref", "")
            response = schemas.ref(response_ref, SCHEMA_DEPTH) if response_ref else None
        except SpecParseError as exc:
            raise SpecParseError(source.name, f"method {method_id}: {exc.problem}",
                                 hint=exc.hint) from exc
        declared = method.get("parameters") or {}
        order = [n for n in method.get("parameterOrder") or [] if n in declared]
        order += [n for n in declared if n not in order]
        params = [_parameter(n, declared[n], _required(declared[n])) for n in order
                  if isinstance(declared[n], dict)]
        if request is not None:
            params.append(Parameter(
                name="body", location="body", type="object", required=True,
                description=f"Request body ({method['request']['$ref']})", json_schema=request,
            ))
        text = str(method.get("description", ""))
        items = _returned_items(doc, response_ref) if response_ref else ""
        if items and items not in text:  # after the first sentence: index text is bounded
            flat = " ".join(text.split())
            cut = flat.find(". ") + 1 if ". " in flat else len(flat)
            text = f"{flat[:cut]} {items} {flat[cut:]}".strip()
        specs.append(APISpec(
            # the id names the API as discovery.build() does (sqladmin, not the ids' "sql")
            id=APISpec.make_id(provider, service, f"{api}.{trail}"),
            name=method_id,
            provider=provider,
            service=service,
            method=str(method.get("httpMethod", "GET")).upper(),
            endpoint=base + str(method.get("path") or method.get("flatPath") or ""),
            summary=_first_sentence(text),
            description=_bound(text, DESCRIPTION_CHARS),
            parameters=params,
            request_body=request,
            return_type=response_ref,
            return_schema=response,
            documentation_url=str(doc.get("documentationLink", "")),
            access=access_for(method),
            pagination=_pagination(method, response),
            deprecated=bool(method.get("deprecated", False)),
            source=info,
            raw={**method, "x-operation-words": operation_words(method_id),
                 "x-service-title": str(doc.get("title") or api)},
        ))
    return specs
