"""The openapi format plugin, through the real plugin manager, on Stripe's real specs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mcp_sre.errors import SpecParseError
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.specs.model import APISpec, SpecSource
from mcp_sre.specs.parse import detect_format, parse_content

SPECS = Path(__file__).resolve().parents[1] / "fixtures" / "specs"
STRIPE_JSON = SPECS / "stripe_spec3.json"
STRIPE_YAML = SPECS / "stripe_spec3_2023-09.yaml"


@pytest.fixture(scope="module")
def pm():
    return make_plugin_manager()


def stripe_source(path: Path) -> SpecSource:
    return SpecSource(name="stripe", provider="stripe", url=str(path))


@pytest.fixture(scope="module")
def stripe(pm) -> dict[str, APISpec]:
    specs = parse_content(pm, STRIPE_JSON.read_bytes(), stripe_source(STRIPE_JSON))
    return {s.name: s for s in specs}


@pytest.fixture(scope="module")
def stripe_yaml(pm) -> dict[str, APISpec]:
    specs = parse_content(pm, STRIPE_YAML.read_bytes(), stripe_source(STRIPE_YAML))
    return {s.name: s for s in specs}


def parse(pm, text: str, name: str = "tiny", fmt: str | None = None) -> list[APISpec]:
    source = SpecSource(name=name, provider="acme", url=f"{name}.yaml", format=fmt)
    return parse_content(pm, text.encode(), source)


def test_detects_openapi_json_and_yaml(pm) -> None:
    src = stripe_source(STRIPE_JSON)
    assert detect_format(pm, STRIPE_JSON.read_bytes(), src) == "openapi"  # key mid-document
    assert detect_format(pm, STRIPE_YAML.read_bytes(), src) == "openapi"
    assert detect_format(pm, b'openapi: "3.1.0"\npaths: {}\n', src) == "openapi"
    # A nested, indented mention is not a declaration.
    assert pm.hook.detect_spec_format(content=b"x:\n  openapi: 3.0.0\n", source=src) is None


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"openapi":"3.1.0","paths":{}}', "openapi"),
        (b"info: {}\nopenapi: '3.0.1'\n", "openapi"),
        (b'{"info": {}, "swagger": "2.0"}', "swagger"),
        (b"swagger: 2.0\r\ninfo: {}\n", "swagger"),
        (b'{"openapi": "2.0"}', None),
        (b'{"swagger": "2.01"}', None),
        (b'{"description": "\\"openapi\\": \\"3.0\\""}', None),
        (b"kind: Pod\napiVersion: v1\n", None),
    ],
)
def test_detection_cases(pm, content: bytes, expected: str | None) -> None:
    src = SpecSource(name="x", provider="acme", url="x")
    assert pm.hook.detect_spec_format(content=content, source=src) == expected


def test_stripe_json(stripe: dict[str, APISpec]) -> None:
    assert len(stripe) == 417
    assert len({s.id for s in stripe.values()}) == 417
    listing = stripe["GetCustomers"]
    assert listing.id == "stripe/stripe/GetCustomers"  # no tags: service from the source
    assert (listing.method, listing.endpoint, listing.access) == ("GET", "/v1/customers", "read")
    assert listing.summary == "Returns a list of your customers."  # HTML stripped
    assert listing.request_body is None  # Stripe's empty form body on GETs is dropped
    assert listing.parameter("email").location == "query"
    assert listing.parameter("created").type == "object|integer"
    assert listing.pagination["cursor_param"] == "starting_after"
    assert listing.pagination["limit_param"] == "limit"
    assert "data" in listing.return_schema["properties"]

    create = stripe["PostCustomers"]
    assert (create.method, create.access) == ("POST", "write")
    email = create.parameter("email")
    assert (email.location, email.type, email.required) == ("formData", "string", False)
    assert "email" in create.request_body["properties"]
    assert create.return_type == "customer"
    assert create.return_schema["properties"]["id"]["type"] == "string"

    retrieve = stripe["GetCustomersCustomer"]
    cust = retrieve.parameter("customer")
    assert (cust.location, cust.required) == ("path", True)
    assert stripe["DeleteCustomersCustomer"].access == "write"


def test_stripe_yaml(stripe_yaml: dict[str, APISpec]) -> None:
    assert len(stripe_yaml) == 468
    op = stripe_yaml["GetCustomers"]
    assert op.return_type == "CustomerResourceCustomerList"  # response schema via $ref
    assert op.access == "read"
    assert {s.source.format for s in stripe_yaml.values()} == {"openapi"}
    json.dumps([s.model_dump(mode="json") for s in list(stripe_yaml.values())[:20]])


CYCLIC = """
openapi: 3.0.3
info: {title: cyclic, version: "1"}
paths:
  /a/{id}:
    get:
      operationId: getA
      tags: [Cyclic Things]
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/A'}
components:
  schemas:
    A:
      type: object
      title: A
      properties:
        b: {$ref: '#/components/schemas/B'}
    B:
      type: object
      properties:
        a: {$ref: '#/components/schemas/A'}
"""


def test_cyclic_schema_is_cut(pm) -> None:
    (op,) = parse(pm, CYCLIC, name="cyclic")
    assert op.id == "acme/cyclic_things/getA"
    b = op.return_schema["properties"]["b"]
    cut = b["properties"]["a"]
    assert cut["$ref"] == "#/components/schemas/A"
    assert cut["x-cycle"] is True
    assert cut["title"] == "A"


OPENAPI_31 = """
openapi: 3.1.0
info: {title: pets, version: "1"}
externalDocs: {url: https://docs.example/root}
components:
  parameters:
    Limit: {name: limit, in: query, schema: {type: integer}}
  requestBodies:
    NewPet:
      required: true
      content:
        application/json:
          schema: {$ref: '#/components/schemas/NewPet'}
          example: {name: Rex}
  responses:
    PetList:
      description: pets
      content:
        application/json:
          schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}
  schemas:
    NewPet:
      type: object
      required: [name]
      properties:
        name: {type: string}
        tag: {type: [string, "null"]}
    Pet:
      allOf:
        - $ref: '#/components/schemas/NewPet'
        - type: object
          properties: {id: {type: integer}}
paths:
  /pets:
    get:
      operationId: listPets
      deprecated: true
      externalDocs: {url: https://docs.example/pets}
      parameters:
        - $ref: '#/components/parameters/Limit'
        - {name: offset, in: query, schema: {type: integer}}
        - {name: X-Trace, in: header, content: {application/json: {schema: {type: object}}}}
      responses:
        2XX: {$ref: '#/components/responses/PetList'}
    post:
      operationId: addPet
      requestBody: {$ref: '#/components/requestBodies/NewPet'}
      responses:
        "204": {description: no content}
    put:
      operationId: replacePets
      requestBody:
        content:
          application/json:
            schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}
      responses: {default: {description: whatever}}
"""


def test_openapi_31_features(pm) -> None:
    ops = {s.name: s for s in parse(pm, OPENAPI_31, name="pets")}
    listing = ops["listPets"]
    assert listing.deprecated is True
    assert listing.documentation_url == "https://docs.example/pets"
    assert listing.parameter("limit").type == "integer"  # from components.parameters
    assert listing.parameter("X-Trace").type == "object"  # from content
    assert listing.parameter("X-Trace").location == "header"
    assert listing.pagination == {
        "style": "offset",
        "offset_param": "offset",
        "limit_param": "limit",
    }
    assert listing.return_type == "array[Pet]"
    assert listing.return_schema["items"]["allOf"][1]["properties"]["id"] == {"type": "integer"}

    add = ops["addPet"]
    assert add.access == "write"
    assert add.documentation_url == "https://docs.example/root"
    name, tag = add.parameter("name"), add.parameter("tag")
    assert (name.location, name.required, name.type) == ("body", True, "string")
    assert (tag.required, tag.type) == (False, "string")
    assert add.request_body["required"] == ["name"]
    assert add.examples == [{"kind": "request", "media_type": "application/json",
                             "value": {"name": "Rex"}}]  # fmt: skip
    assert add.return_schema is None

    replace = ops["replacePets"]
    body = replace.parameter("body")  # not an object: one body parameter
    assert (body.location, body.type) == ("body", "array")
    assert replace.return_type == ""


def test_errors_name_the_source(pm) -> None:
    dangling = CYCLIC.replace("'#/components/schemas/B'", "'#/components/schemas/Missing'")
    with pytest.raises(SpecParseError) as err:
        parse(pm, dangling, name="dangling-src")
    assert "dangling-src" in str(err.value)
    assert "#/components/schemas/Missing" in str(err.value)

    with pytest.raises(SpecParseError) as err:
        parse(pm, '{"openapi": "3.0.0",\n "paths": {"/x": }}', name="bad-json")
    assert "bad-json" in str(err.value)
    assert "malformed JSON at line 2" in str(err.value)

    with pytest.raises(SpecParseError) as err:
        parse(pm, "openapi: 3.0.0\npaths:\n  /x: [unclosed\n", name="bad-yaml")
    assert "bad-yaml" in str(err.value)
    assert "malformed YAML at line" in str(err.value)

    with pytest.raises(SpecParseError, match="defines no operations"):
        parse(pm, "openapi: 3.1.0\ninfo: {title: t}\nwebhooks: {}\n", name="empty")
    with pytest.raises(SpecParseError, match="use format 'swagger'"):
        parse(pm, 'swagger: "2.0"\npaths: {}\n', name="wrong", fmt="openapi")


def test_external_refs_can_be_stubbed(pm) -> None:
    text = CYCLIC.replace("'#/components/schemas/B'", "'common.yaml#/components/schemas/B'")
    with pytest.raises(SpecParseError, match="external"):
        parse(pm, text, name="ext")
    source = SpecSource(name="ext", provider="acme", url="ext.yaml",
                        options={"external_refs": "stub"})  # fmt: skip
    (op,) = parse_content(pm, text.encode(), source)
    assert op.return_schema["properties"]["b"]["x-external"] is True
