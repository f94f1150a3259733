"""The guest API (``sre.call``, ``sre.pages``, ``sre.describe``) against a small provider plugin
registered like any third-party one: pagination, big replies, errors, regions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mcp_sre import hookimpl
from mcp_sre.config import load_settings
from mcp_sre.errors import NotFoundError
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.sandbox import ProviderCallError, Sandbox
from mcp_sre.specs.model import APISpec, Parameter, SourceInfo

_INFO = SourceInfo(url="memory://inventory", format="test")
ITEMS = [f"item-{i:03d}" for i in range(23)]


def _spec(name: str, access: str = "read", **extra: Any) -> APISpec:
    return APISpec(id=f"inventory/store/{name}", name=name, provider="inventory",
                   service="store", access=access, source=_INFO, **extra)  # type: ignore[arg-type]


SPECS = {s.id: s for s in [
    _spec("ListItems", parameters=[Parameter(name="NextToken", location="body"),
                                   Parameter(name="Limit", location="body", type="integer")],
          pagination={"input_token": "NextToken", "output_token": "NextToken",
                      "limit_key": "Limit", "result_key": "Items"}),
    _spec("GetBlob", parameters=[Parameter(name="Size", location="body", type="integer",
                                           required=True)]),
    _spec("LoopForever", parameters=[Parameter(name="NextToken", location="body")],
          pagination={"input_token": "NextToken", "output_token": "NextToken"}),
    _spec("Fail"),
    _spec("WhereAmI"),
    _spec("DeleteItem", access="write"),
]}


class InventoryPlugin:
    """A provider plugin: executes the operations above from memory."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], dict[str, Any]]] = []

    @hookimpl
    def execute_operation(self, spec: APISpec, params: dict[str, Any],
                          context: dict[str, Any]) -> Any:
        if spec.provider != "inventory":
            return None
        self.calls.append((spec.name, params, context))
        if spec.name == "ListItems":
            start = int(params.get("NextToken") or 0)
            size = params.get("Limit", 10)
            page = {"Items": ITEMS[start:start + size]}
            if start + size < len(ITEMS):
                page["NextToken"] = str(start + size)
            return page
        if spec.name == "GetBlob":
            return {"Data": "z" * params["Size"]}
        if spec.name == "LoopForever":
            return {"NextToken": "same"}
        if spec.name == "WhereAmI":
            return {"region": context.get("region"), "secret": "secret" in context}
        raise ProviderCallError("inventory is closed", code="Closed", status=503)


def lookup(op_id: str) -> APISpec:
    if op_id not in SPECS:
        raise NotFoundError(f"no operation {op_id!r}")
    return SPECS[op_id]


@pytest.fixture(scope="module")
def inventory() -> InventoryPlugin:
    return InventoryPlugin()


@pytest.fixture(scope="module")
def box(inventory: InventoryPlugin, module_dir: Path,
        tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    pm = make_plugin_manager(only=set(), extra=[inventory])
    return Sandbox(load_settings(home=tmp_path_factory.mktemp("inventory")), pm, lookup,
                   module_dir=module_dir,
                   context={"inventory": {"region": "host-default", "secret": "s3cr3t"}})


def test_pages_follow_tokens(box: Sandbox, inventory: InventoryPlugin) -> None:
    inventory.calls.clear()
    result = box.run("""
items = [i for page in sre.paginate("inventory/store/ListItems", Limit=5) for i in page["Items"]]
capped = [i for page in sre.pages("inventory/store/ListItems", page_size=4, max_items=6)
          for i in page["Items"]]
resumed = next(iter(sre.pages("inventory/store/ListItems", starting_token="20")))["Items"]
sre.result({"items": items, "capped": capped, "resumed": resumed,
            "info": sre.describe("inventory/store/ListItems")})
""")
    assert result.ok, (result.error, result.stderr)
    assert result.result["items"] == ITEMS
    assert result.result["capped"] == ITEMS[:6]
    assert result.result["resumed"] == ITEMS[20:]
    info = result.result["info"]
    assert info["access"] == "read" and info["pagination"]["limit_key"] == "Limit"
    assert [p["name"] for p in info["parameters"]] == ["NextToken", "Limit"]
    assert len([c for c in result.calls if c.operation.endswith("ListItems")]) == 5 + 2 + 1


def test_repeated_token_stops_pagination(box: Sandbox) -> None:
    result = box.run("sre.result(len(list(sre.paginate('inventory/store/LoopForever'))))")
    assert result.ok and result.result == 2  # the second identical token ends the loop


def test_big_replies_arrive_in_chunks(box: Sandbox) -> None:
    result = box.run("""
data = sre.call("inventory/store/GetBlob", Size=3_000_000)["Data"]
sre.result([len(data), data[:3]])
""")
    assert result.ok, (result.error, result.stderr)
    assert result.result == [3_000_000, "zzz"]
    assert result.calls[0].result_bytes > 3_000_000


def test_big_program_and_inputs_arrive_in_chunks(box: Sandbox) -> None:
    blob = "y" * 1_500_000
    code = f"text = {blob!r}\nsre.result([len(text), len(sre.inputs['blob'])])"
    result = box.run(code, inputs={"blob": blob})
    assert result.ok, (result.error, result.stderr)
    assert result.result == [1_500_000, 1_500_000]


def test_provider_errors_and_context(box: Sandbox) -> None:
    result = box.run("""
try:
    sre.call("inventory/store/Fail")
except sre.ProviderError as exc:
    failure = [exc.code, exc.status, exc.message]
here = sre.call("inventory/store/WhereAmI")
there = sre.request("inventory/store/WhereAmI", {}, region="eu-west-1")
sre.result({"failure": failure, "here": here, "there": there})
""")
    assert result.ok, (result.error, result.stderr)
    assert result.result["failure"] == ["Closed", 503, "inventory is closed"]
    assert result.result["here"] == {"region": "host-default", "secret": True}
    assert result.result["there"]["region"] == "eu-west-1"


def test_uncaught_errors_keep_their_kind(box: Sandbox) -> None:
    failed = box.run("sre.call('inventory/store/Fail')")
    assert failed.error is not None and failed.error.type == "provider_error"
    assert "inventory is closed" in failed.error.message
    missing = box.run("sre.call('inventory/store/Nope')")
    assert missing.error is not None and missing.error.type == "validation_error"
    assert "OperationNotFound" in missing.error.message
    bad = box.run("sre.call('inventory/store/GetBlob')")
    assert bad.error is not None and bad.error.type == "validation_error"
    assert "missing required parameter(s): Size" in bad.error.message


def test_writes_need_a_person(box: Sandbox, inventory: InventoryPlugin) -> None:
    inventory.calls.clear()
    refused = box.run("sre.call('inventory/store/DeleteItem')")
    assert refused.error is not None and refused.error.type == "policy_denied"
    assert inventory.calls == []
    allowed = box.run("sre.call('inventory/store/DeleteItem')", allow_writes=True)
    assert allowed.error is not None and allowed.error.type == "provider_error"
    assert [c[0] for c in inventory.calls] == ["DeleteItem"]
