"""Red team (issue 20, items 1 and 2): the response layers of every provider.

Before the fix, with writes allowed, ``patch_namespaced_secret(name, ns, {})`` returned the
Secret's data, and only AWS answers were masked at all. The class: a Secret's ``data`` and
``stringData`` wherever a Secret appears (read, list, patch echo, create echo), OpenAPI
``format: password``/``writeOnly`` properties of any provider, secret names, name/value pairs,
private keys and signed URLs in any answer, and masks that plugins add through the
``response_masks`` hook -- whatever the write setting and the sensitive-list exemptions.
"""

from __future__ import annotations

import json
import marshal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mcp_sre import hookimpl
from mcp_sre.config import PROJECT_ROOT
from mcp_sre.errors import NotFoundError
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.sandbox.bridge import CallHandler, OperationResolver
from mcp_sre.sandbox.masking import MASK, ResponseMasker
from mcp_sre.sandbox.policy import Policy, PolicyConfig
from mcp_sre.specs.model import APISpec, SourceInfo, SpecSource
from mcp_sre.specs.parse import parse_content
from mcp_sre_kubernetes.sim import SimServer

SWAGGER = PROJECT_ROOT / "plugins" / "mcp_sre_kubernetes" / "specs" / "kubernetes-swagger.json"
SECRET_B64 = "czNjcjN0LWRvLW5vdC1sZWFr"  # the crashloop scenario's payments password


@pytest.fixture(scope="module")
def k8s() -> Iterator[tuple[Any, dict[str, APISpec], Path]]:
    pm = make_plugin_manager(only={"kubernetes", "swagger", "openapi"})
    source = SpecSource(name="kubernetes", provider="kubernetes", url=str(SWAGGER),
                        format="swagger")
    specs = {s.id: s for s in parse_content(pm, SWAGGER.read_bytes(), source)}
    with SimServer("crashloop", swagger=SWAGGER) as server:
        path = Path(server.write_kubeconfig(Path(__import__("tempfile").mkdtemp()) / "kc"))
        yield pm, specs, path


def _handler(pm: Any, specs: dict[str, APISpec], kubeconfig: Path, *,
             exempt: bool) -> CallHandler:
    def lookup(op_id: str) -> APISpec:
        if op_id not in specs:
            raise NotFoundError(f"no operation {op_id!r}")
        return specs[op_id]

    sensitive = [p for group in pm.hook.sensitive_operations() for p in group]
    config = PolicyConfig(allow_sensitive=["*"] if exempt else [])
    return CallHandler(
        resolve=OperationResolver(lookup), policy=Policy(config, sensitive),
        execute=lambda spec, p, ctx: pm.hook.execute_operation(spec=spec, params=p, context=ctx),
        audit=None, run_id="rt", deadline=time.monotonic() + 60, allow_writes=True,
        context={"kubernetes": {"kubeconfig": str(kubeconfig)}}, mask=ResponseMasker(pm))


def _call(handler: CallHandler, op: str, params: dict[str, Any]) -> dict[str, Any]:
    reply = handler.call({"id": 1, "op": f"kubernetes/core_v1/{op}", "params": params})
    return marshal.loads(reply) if isinstance(reply, bytes) else reply


def test_secret_verbs_refused_with_writes_allowed(k8s) -> None:
    pm, specs, kubeconfig = k8s
    reply = _call(_handler(pm, specs, kubeconfig, exempt=False), "patchCoreV1NamespacedSecret",
                  {"name": "payments-db-credentials", "namespace": "shop", "body": {}})
    assert reply["ok"] is False and reply["error"]["kind"] == "policy_denied"


@pytest.mark.parametrize(("op", "params"), [
    ("patchCoreV1NamespacedSecret",
     {"name": "payments-db-credentials", "namespace": "shop", "body": {}}),
    ("readCoreV1NamespacedSecret", {"name": "payments-db-credentials", "namespace": "shop"}),
    ("listCoreV1NamespacedSecret", {"namespace": "shop"}),
    ("listCoreV1SecretForAllNamespaces", {}),
    ("createCoreV1NamespacedSecret", {"namespace": "shop", "body": {
        "apiVersion": "v1", "kind": "Secret", "metadata": {
            "name": "rt-new", "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration":
                    json.dumps({"data": {"k": SECRET_B64}})}},
        "stringData": {"token": "plain-" + SECRET_B64}, "data": {"k": SECRET_B64}}}),
])
def test_secret_data_masked_even_when_a_person_exempts_it(k8s, op: str, params) -> None:
    pm, specs, kubeconfig = k8s
    reply = _call(_handler(pm, specs, kubeconfig, exempt=True), op, params)
    assert reply["ok"], reply
    text = json.dumps(reply["data"])
    assert SECRET_B64 not in text
    assert MASK in text  # the Secret is there, its values are not


def test_pod_environment_secret_values_masked(k8s) -> None:
    pm, specs, kubeconfig = k8s
    handler = _handler(pm, specs, kubeconfig, exempt=False)
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "rt-env"}, "spec": {
        "containers": [{"name": "a", "image": "busybox", "env": [
            {"name": "DB_PASSWORD", "value": "hunter2-" + SECRET_B64},
            {"name": "LOG_LEVEL", "value": "debug"}]}]}}
    assert _call(handler, "createCoreV1NamespacedPod", {"namespace": "shop", "body": body})["ok"]
    reply = _call(handler, "readCoreV1NamespacedPod", {"name": "rt-env", "namespace": "shop"})
    env = reply["data"]["spec"]["containers"][0]["env"]
    assert env == [{"name": "DB_PASSWORD", "value": MASK}, {"name": "LOG_LEVEL", "value": "debug"}]


def _spec(schema: dict[str, Any] | None = None, provider: str = "stripe") -> APISpec:
    return APISpec(id=f"{provider}/users/GetUser", name="GetUser", provider=provider,
                   service="users", access="read", return_schema=schema,
                   source=SourceInfo(url="file:x", format="openapi"))


def test_openapi_password_and_write_only_properties_masked() -> None:
    schema = {"type": "object", "properties": {
        "login": {"type": "string"},
        "pin": {"type": "string", "format": "password"},
        "nested": {"type": "array", "items": {"type": "object", "properties": {
            "hookSigningValue": {"type": "string", "writeOnly": True},
            "label": {"type": "string"}}}}}}
    data = {"login": "ann", "pin": "1234", "nested": [{"hookSigningValue": "whsec", "label": "x"}]}
    assert ResponseMasker()(_spec(schema), data) == {
        "login": "ann", "pin": MASK, "nested": [{"hookSigningValue": MASK, "label": "x"}]}


@pytest.mark.parametrize(("data", "expected"), [
    ({"ClientSecret": "s"}, {"ClientSecret": MASK}),
    ({"Tags": [{"Key": "api-token", "Value": "t0k"}]}, {"Tags": [{"Key": "api-token",
                                                                  "Value": MASK}]}),
    ({"items": [{"type": "API_KEY", "value": "abc", "name": "ci"}]},
     {"items": [{"type": "API_KEY", "value": MASK, "name": "ci"}]}),
    ({"note": "x -----BEGIN RSA PRIVATE KEY-----\nAAA\n-----END RSA PRIVATE KEY----- y"},
     {"note": f"x {MASK} y"}),
    ({"Location": "https://b.example/f.zip?X-Amz-Signature=abc&X-Amz-Credential=k"},
     {"Location": MASK}),
    ({"url": "https://acct.blob.example/c?sv=2020&sig=abc"}, {"url": MASK}),
    ({"NextToken": "n", "nextPageToken": "p", "Name": "web", "PasswordLastUsed": "2024"},
     {"NextToken": "n", "nextPageToken": "p", "Name": "web", "PasswordLastUsed": "2024"}),
])
def test_name_layer_for_every_provider(data, expected) -> None:
    assert ResponseMasker()(_spec(None, provider="anycloud"), data) == expected


class _PluginMask:
    @hookimpl
    def response_masks(self) -> list[Any]:
        def mask(spec: APISpec, data: Any) -> Any:
            if spec.provider == "stripe" and isinstance(data, dict) and "cvc" in data:
                data["cvc"] = MASK
            return data

        return [mask]


class _BrokenMask:
    @hookimpl
    def response_masks(self) -> list[Any]:
        def mask(spec: APISpec, data: Any) -> Any:
            raise KeyError("bug")

        return [mask]


def test_plugins_add_masks_through_the_hook() -> None:
    pm = make_plugin_manager(only=set(), extra=[_PluginMask()])
    assert ResponseMasker(pm)(_spec(), {"cvc": "123", "brand": "visa"}) == {
        "cvc": MASK, "brand": "visa"}


def test_a_failing_mask_withholds_the_answer() -> None:
    pm = make_plugin_manager(only=set(), extra=[_BrokenMask()])
    handler = CallHandler(
        resolve=lambda op: _spec(), policy=Policy(), execute=lambda s, p, c: {"pin": "1"},
        audit=None, run_id="rt", deadline=time.monotonic() + 10, mask=ResponseMasker(pm))
    reply = handler.call({"id": 1, "op": "stripe/users/GetUser", "params": {}})
    assert isinstance(reply, dict) and reply["ok"] is False
    assert "withheld" in reply["error"]["message"] and '"1"' not in json.dumps(reply)


OPENAPI_DOC = {
    "openapi": "3.0.3", "info": {"title": "Users", "version": "1"},
    "paths": {"/users/{id}": {"get": {
        "operationId": "getUser", "tags": ["users"],
        "parameters": [{"name": "id", "in": "path", "required": True,
                        "schema": {"type": "string"}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/User"}}}}}}}},
    "components": {"schemas": {
        "User": {"type": "object", "properties": {
            "login": {"type": "string"},
            "hook": {"$ref": "#/components/schemas/Hook"}}},
        "Hook": {"type": "object", "properties": {
            "url": {"type": "string"},
            "signingValue": {"type": "string", "writeOnly": True},
            "pin": {"type": "string", "format": "password"}}}}},
}


def test_a_parsed_openapi_spec_carries_its_secret_markings_to_the_masks() -> None:
    """The schema layer works on what the OpenAPI plugin parses ($refs resolved), not only on
    hand-written schemas."""
    pm = make_plugin_manager(only={"openapi"})
    source = SpecSource(name="users", provider="users", url="memory://users",
                        format="openapi")
    (spec,) = parse_content(pm, json.dumps(OPENAPI_DOC).encode(), source)
    answer = {"login": "ann", "hook": {"url": "https://h.example/x", "signingValue": "s3",
                                       "pin": "1234"}}
    masked = ResponseMasker(pm)(spec, answer)
    assert masked["hook"]["signingValue"] == MASK and masked["hook"]["pin"] == MASK
    assert masked["login"] == "ann"
