"""The swagger format plugin, through the real plugin manager, on the real Kubernetes spec."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mcp_sre.errors import SpecParseError
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.specs.jsonref import TRUNCATED_KEY
from mcp_sre.specs.model import APISpec, SpecSource
from mcp_sre.specs.parse import detect_format, parse_content

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "plugins" / "mcp_sre_kubernetes" / "specs" / "kubernetes-swagger.json"


@pytest.fixture(scope="module")
def pm():
    return make_plugin_manager()


@pytest.fixture(scope="module")
def k8s(pm) -> dict[str, APISpec]:
    source = SpecSource(name="kubernetes", provider="kubernetes", url=str(K8S))
    specs = parse_content(pm, K8S.read_bytes(), source)
    return {s.name: s for s in specs}


def parse(pm, text: str, name: str = "tiny", fmt: str | None = None) -> list[APISpec]:
    source = SpecSource(name=name, provider="acme", url=f"{name}.yaml", format=fmt)
    return parse_content(pm, text.encode(), source)


def test_detects_swagger_at_the_end_of_a_sorted_document(pm) -> None:
    source = SpecSource(name="kubernetes", provider="kubernetes", url=str(K8S))
    assert detect_format(pm, K8S.read_bytes(), source) == "swagger"
    assert detect_format(pm, b"swagger: '2.0'\ninfo: {}\npaths: {}\n", source) == "swagger"
    assert pm.hook.detect_spec_format(content=b'{"definitions": {}}', source=source) is None


def test_kubernetes_operation_count_and_ids(k8s: dict[str, APISpec]) -> None:
    assert len(k8s) == 1123
    ids = {s.id for s in k8s.values()}
    assert len(ids) == 1123
    assert all(i.startswith("kubernetes/") for i in ids)
    assert k8s["listAppsV1NamespacedDeployment"].id == (
        "kubernetes/apps_v1/listAppsV1NamespacedDeployment"
    )
    assert {s.source.format for s in k8s.values()} == {"swagger"}


def test_list_pods(k8s: dict[str, APISpec]) -> None:
    op = k8s["listCoreV1NamespacedPod"]
    assert op.id == "kubernetes/core_v1/listCoreV1NamespacedPod"
    assert (op.provider, op.service, op.method) == ("kubernetes", "core_v1", "GET")
    assert op.endpoint == "/api/v1/namespaces/{namespace}/pods"
    assert op.access == "read"
    ns = op.parameter("namespace")  # declared on the path item, as a $ref
    assert ns is not None
    assert (ns.location, ns.type, ns.required) == ("path", "string", True)
    assert "auth scope" in ns.description
    sel = op.parameter("labelSelector")
    assert sel is not None
    assert (sel.location, sel.type, sel.required) == ("query", "string", False)
    assert op.parameter("limit").json_schema["type"] == "integer"
    assert op.return_type == "io.k8s.api.core.v1.PodList"
    assert "items" in op.return_schema["properties"]
    assert op.pagination["token_param"] == "continue"
    assert op.pagination["limit_param"] == "limit"
    assert op.request_body is None
    # raw is the operation as written: refs unresolved.
    assert {"$ref": "#/parameters/labelSelector-5Zw57w4C"} in op.raw["parameters"]


def test_write_operations_and_body(k8s: dict[str, APISpec]) -> None:
    delete = k8s["deleteCoreV1NamespacedPod"]
    assert (delete.method, delete.access) == ("DELETE", "write")
    assert delete.pagination is None
    create = k8s["createCoreV1NamespacedPod"]
    assert (create.method, create.access) == ("POST", "write")
    body = create.parameter("body")
    assert body is not None
    assert (body.location, body.required) == ("body", True)
    assert create.request_body == body.json_schema
    props = create.request_body["properties"]
    assert "spec" in props
    assert "labels" in props["metadata"]["properties"]  # refs expanded...
    text = json.dumps(create.request_body)
    assert TRUNCATED_KEY in text  # ...but only so deep
    assert k8s["patchCoreV1NamespacedPod"].access == "write"
    assert k8s["readCoreV1NamespacedPodLog"].access == "read"


def test_schemas_stay_bounded(k8s: dict[str, APISpec]) -> None:
    biggest = max(
        len(json.dumps(schema))
        for op in k8s.values()
        for schema in [op.request_body, op.return_schema, *(p.json_schema for p in op.parameters)]
        if schema
    )
    assert biggest <= 60_000
    assert max(len(json.dumps(op.raw)) for op in k8s.values()) <= 64_000


TINY = """
swagger: "2.0"
info: {title: tiny, version: "1"}
externalDocs: {url: https://docs.example/tiny}
parameters:
  Org: {name: org, in: path, required: true, type: string, description: The org}
definitions:
  Team:
    type: object
    properties:
      name: {type: string}
      parent: {$ref: '#/definitions/Team'}
paths:
  /orgs/{org}/teams:
    parameters:
      - $ref: '#/parameters/Org'
      - {name: verbose, in: query, type: boolean}
    get:
      tags: [Team Management]
      parameters:
        - {name: verbose, in: query, type: integer, description: overridden}
        - {name: page, in: query, type: integer}
        - {name: per_page, in: query, type: integer}
      responses:
        "200":
          description: ok
          schema: {type: array, items: {$ref: '#/definitions/Team'}}
          examples: {application/json: [{name: core}]}
    post:
      consumes: [multipart/form-data]
      parameters:
        - {name: file, in: formData, type: file, required: true}
      responses: {201: {description: created, schema: {$ref: '#/definitions/Team'}}}
"""


def test_tiny_spec_merging_naming_and_cycles(pm) -> None:
    specs = {s.method: s for s in parse(pm, TINY)}
    get, post = specs["GET"], specs["POST"]
    assert get.name == "get_orgs_org_teams"  # no operationId: synthesized
    assert get.id == "acme/team_management/get_orgs_org_teams"
    assert post.service == "tiny"  # no tag: the source name
    assert [p.name for p in get.parameters] == ["org", "verbose", "page", "per_page"]
    verbose = get.parameter("verbose")
    assert (verbose.type, verbose.description) == ("integer", "overridden")  # operation wins
    assert get.parameter("org").description == "The org"
    assert get.return_type == "array[Team]"
    parent = get.return_schema["items"]["properties"]["parent"]
    assert parent["x-cycle"] is True
    assert get.pagination == {"style": "page", "page_param": "page", "size_param": "per_page"}
    assert get.examples == [{"kind": "response", "media_type": "application/json",
                             "value": [{"name": "core"}]}]  # fmt: skip
    assert get.documentation_url == "https://docs.example/tiny"
    assert post.parameter("file").location == "formData"
    assert post.parameter("file").type == "file"
    assert post.return_type == "Team"


def test_errors_name_the_source(pm) -> None:
    dangling = TINY.replace("$ref: '#/definitions/Team'}}}", "$ref: '#/definitions/Gone'}}}")
    with pytest.raises(SpecParseError) as err:
        parse(pm, dangling, name="dangling-src")
    assert "dangling-src" in str(err.value)
    assert "#/definitions/Gone" in str(err.value)
    with pytest.raises(SpecParseError) as err:
        parse(pm, '{"swagger": "2.0", "paths": {"/x": {"get": {', name="bad-json", fmt="swagger")
    assert "bad-json" in str(err.value)
    assert "malformed JSON at line 1" in str(err.value)
    with pytest.raises(SpecParseError, match="defines no operations"):
        parse(pm, 'swagger: "2.0"\ninfo: {title: t}\n', name="empty")
    with pytest.raises(SpecParseError, match="use format 'openapi'"):
        parse(pm, "openapi: 3.0.0\npaths: {}\n", name="wrong", fmt="swagger")
    external = TINY.replace("$ref: '#/parameters/Org'", "$ref: 'common.yaml#/parameters/Org'")
    with pytest.raises(SpecParseError, match="not followed"):
        parse(pm, external, name="ext")
