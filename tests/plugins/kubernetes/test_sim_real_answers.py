"""The simulator's answers against what a real API server answers for the same objects
(fixtures/real): same fields, same types, same values where they follow from the objects, and
every field one the swagger defines."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from mcp_sre_kubernetes.sim import SimServer
from mcp_sre_kubernetes.sim.api import SimRequest

from .conftest import SWAGGER

REAL = Path(__file__).parent / "fixtures" / "real"


def shape(value: Any) -> Any:
    """Field names and JSON types, with list elements merged: what two answers share when
    they describe the same objects at different times."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        merged: dict[str, Any] = {}
        for item in value:
            s = shape(item)
            merged.update(s if isinstance(s, dict) else {"": s})
        return ["list", merged]
    return "null" if value is None else type(value).__name__


@cache
def _definitions() -> dict[str, Any]:
    return json.loads(SWAGGER.read_text())["definitions"]


def undefined_fields(value: Any, definition: str, where: str = "") -> list[str]:
    """Fields the swagger does not define for ``definition`` (recursively)."""
    schema = _definitions()[definition]
    if "properties" not in schema or not isinstance(value, dict):
        return []
    out = []
    for key, item in value.items():
        prop = schema["properties"].get(key)
        if prop is None:
            out.append(f"{where}{key}")
            continue
        ref = prop.get("$ref") or (prop.get("items") or {}).get("$ref")
        if ref:
            name = ref.rsplit("/", 1)[-1]
            for element in item if isinstance(item, list) else [item]:
                out += undefined_fields(element, name, f"{where}{key}.")
    return out


@pytest.fixture(scope="module")
def api():
    server = SimServer(REAL / "scenario.yaml", swagger=SWAGGER, tls=False, token=None)
    return server.api


def _get(api, path: str, query: str = "") -> Any:
    resp = api.handle(SimRequest("GET", path, query))
    assert resp.code == 200, resp.body
    return json.loads(resp.body) if resp.content_type.startswith("application/json") \
        else resp.body.decode()


def _real(name: str) -> Any:
    return json.loads((REAL / name).read_text())


EVENT = "web-5d8f7c9b6-fghij.1800a1b2c3d4e5f6"


@pytest.mark.parametrize(("path", "fixture", "definition"), [
    (f"/api/v1/namespaces/demo/events/{EVENT}", "event-core.json", "io.k8s.api.core.v1.Event"),
    (f"/apis/events.k8s.io/v1/namespaces/demo/events/{EVENT}", "event-events-v1.json",
     "io.k8s.api.events.v1.Event"),
    ("/api/v1/namespaces/demo/endpoints/web", "endpoints.json", "io.k8s.api.core.v1.Endpoints"),
])
def test_object_matches_real_answer(api, path: str, fixture: str, definition: str) -> None:
    got, real = _get(api, path), _real(fixture)
    assert shape(got) == shape(real)
    assert undefined_fields(got, definition) == []
    for field in ("reason", "type", "count", "note", "message", "regarding", "involvedObject",
                  "deprecatedCount", "deprecatedSource", "source", "subsets"):
        assert got.get(field) == real.get(field), field


def test_endpointslice_matches_real_answer(api) -> None:
    slices = _get(api, "/apis/discovery.k8s.io/v1/namespaces/demo/endpointslices",
                  "labelSelector=kubernetes.io/service-name%3Dweb")["items"]
    real = _real("endpointslice.json")
    assert len(slices) == 1
    got = {"kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1", **slices[0]}
    assert shape(got) == shape(real)
    assert undefined_fields(got, "io.k8s.api.discovery.v1.EndpointSlice") == []
    for field in ("endpoints", "ports", "addressType"):
        assert got[field] == real[field], field
    assert got["metadata"]["labels"] == real["metadata"]["labels"]


def test_deployment_status_matches_real_answer(api) -> None:
    got = _get(api, "/apis/apps/v1/namespaces/demo/deployments/web")["status"]
    real = _real("deployment-status.json")
    assert shape(got) == shape(real)
    assert [(c["type"], c["status"], c["reason"], c["message"]) for c in got["conditions"]] == \
        [(c["type"], c["status"], c["reason"], c["message"]) for c in real["conditions"]]
    assert {k: v for k, v in got.items() if k != "conditions"} == \
        {k: v for k, v in real.items() if k != "conditions"}


def test_metrics_match_metrics_server(api) -> None:
    pod = _get(api, "/apis/metrics.k8s.io/v1beta1/namespaces/demo/pods/web-5d8f7c9b6-abcde")
    node = _get(api, "/apis/metrics.k8s.io/v1beta1/nodes/kind-worker")
    for got, name in ((pod, "podmetrics.json"), (node, "nodemetrics.json")):
        real = _real(name)
        assert shape(got) == shape(real)
        assert got.get("usage") == real.get("usage")
        assert got.get("containers") == real.get("containers")
        assert got["metadata"]["labels"] == real["metadata"]["labels"]
    listed = _get(api, "/apis/metrics.k8s.io/v1beta1/namespaces/demo/pods")
    assert listed["kind"] == "PodMetricsList" and len(listed["items"]) == 2
