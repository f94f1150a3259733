"""``/openapi/v2`` of the simulated cluster: the swagger it serves plus paths for the custom
resources its scenario defines, named the way kube-apiserver names them
(``listCertManagerIoV1NamespacedCertificate``, tag ``certManagerIo_v1``)."""

from __future__ import annotations

import json
import re
from typing import Any

from mcp_sre_kubernetes.sim.routes import APIResource

__all__ = ["openapi_document"]


def _friendly(group: str) -> str:
    """``cert-manager.io`` -> ``CertManagerIo`` (apiserver's friendly group name)."""
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[.\-]", group) if w)


def _definition_name(res: APIResource) -> str:
    return ".".join([*reversed(res.group.split(".")), res.version, res.kind])


def _crd_paths(res: APIResource) -> tuple[dict[str, Any], dict[str, Any]]:
    friendly = _friendly(res.group)
    gv = friendly + res.version[:1].upper() + res.version[1:]  # CertManagerIoV1
    tag = friendly[:1].lower() + friendly[1:] + "_" + res.version  # certManagerIo_v1
    gvk = {"group": res.group, "version": res.version, "kind": res.kind}
    ref = {"$ref": f"#/definitions/{_definition_name(res)}"}
    list_ref = {"$ref": f"#/definitions/{_definition_name(res)}List"}

    def op(verb: str, name: str, action: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"operationId": f"{verb}{gv}{name}", "tags": [tag], "x-kubernetes-action": action,
                "x-kubernetes-group-version-kind": gvk, "produces": ["application/json"],
                "description": f"{action} {res.kind}",
                "responses": {"200": {"description": "OK", "schema": schema}}}

    ns_param = {"name": "namespace", "in": "path", "required": True, "type": "string"}
    name_param = {"name": "name", "in": "path", "required": True, "type": "string"}
    query = [{"name": n, "in": "query", "type": t} for n, t in (
        ("labelSelector", "string"), ("fieldSelector", "string"), ("limit", "integer"),
        ("continue", "string"), ("resourceVersion", "string"))]
    base = f"/apis/{res.group}/{res.version}"
    paths: dict[str, Any] = {}
    if res.namespaced:
        paths[f"{base}/namespaces/{{namespace}}/{res.plural}"] = {
            "parameters": [ns_param],
            "get": {**op("list", f"Namespaced{res.kind}", "list", list_ref), "parameters": query}}
        paths[f"{base}/namespaces/{{namespace}}/{res.plural}/{{name}}"] = {
            "parameters": [name_param, ns_param],
            "get": op("read", f"Namespaced{res.kind}", "get", ref),
            "delete": op("delete", f"Namespaced{res.kind}", "delete", ref)}
        paths[f"{base}/{res.plural}"] = {
            "get": {**op("list", f"{res.kind}ForAllNamespaces", "list", list_ref),
                    "parameters": query}}
    else:
        paths[f"{base}/{res.plural}"] = {
            "get": {**op("list", res.kind, "list", list_ref), "parameters": query}}
        paths[f"{base}/{res.plural}/{{name}}"] = {
            "parameters": [name_param],
            "get": op("read", res.kind, "get", ref), "delete": op("delete", res.kind, "delete", ref)}
    definitions = {
        _definition_name(res): {"type": "object", "x-kubernetes-group-version-kind": [gvk],
                                "description": f"{res.kind} (custom resource)"},
        f"{_definition_name(res)}List": {
            "type": "object", "required": ["items"],
            "properties": {"items": {"type": "array", "items": ref}},
            "x-kubernetes-group-version-kind": [{**gvk, "kind": f"{res.kind}List"}]},
    }
    return paths, definitions


def openapi_document(swagger_bytes: bytes, custom: list[APIResource]) -> bytes:
    """The served document: the swagger as is, or with the custom resources' paths added."""
    if not custom:
        return swagger_bytes
    doc = json.loads(swagger_bytes)
    for res in sorted(custom, key=lambda r: r.key):
        paths, definitions = _crd_paths(res)
        doc.setdefault("paths", {}).update(paths)
        doc.setdefault("definitions", {}).update(definitions)
    return json.dumps(doc).encode()
