"""The Google discovery format plugin, through the real plugin manager, on real discovery
documents (Cloud Trace v2 fixture; Monitoring v3, GKE v1 and Logging v2 shipped snapshots)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mcp_sre.errors import SpecParseError
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.specs.jsonref import CYCLE_KEY, TRUNCATED_KEY
from mcp_sre.specs.model import APISpec, SpecSource
from mcp_sre.specs.parse import detect_format, parse_content

ROOT = Path(__file__).resolve().parents[2]
TRACE = ROOT / "tests" / "fixtures" / "specs" / "gcp_cloudtrace_v2.discovery.json"
SNAPSHOTS = ROOT / "plugins" / "mcp_sre_gcp" / "specs"


@pytest.fixture(scope="module")
def pm():
    return make_plugin_manager()


def parse(pm, path: Path, **extra) -> dict[str, APISpec]:
    source = SpecSource(name=extra.pop("name", path.stem), provider="gcp", url=str(path), **extra)
    return {s.name: s for s in parse_content(pm, path.read_bytes(), source)}


@pytest.fixture(scope="module")
def monitoring(pm) -> dict[str, APISpec]:
    return parse(pm, SNAPSHOTS / "gcp_monitoring_v3.json")


@pytest.fixture(scope="module")
def container(pm) -> dict[str, APISpec]:
    return parse(pm, SNAPSHOTS / "gcp_container_v1.json")


def test_detects_discovery_documents_only(pm) -> None:
    source = SpecSource(name="x", provider="gcp", url="x.json")
    assert detect_format(pm, TRACE.read_bytes(), source) == "discovery"
    assert pm.hook.detect_spec_format(
        content=b'{"openapi": "3.0.0", "paths": {}}', source=source) != "discovery"


def test_cloudtrace_methods(pm) -> None:
    ops = parse(pm, TRACE)
    assert set(ops) == {"cloudtrace.projects.traces.batchWrite",
                        "cloudtrace.projects.traces.spans.createSpan"}
    write = ops["cloudtrace.projects.traces.batchWrite"]
    assert write.id == "gcp/cloudtrace/cloudtrace.projects.traces.batchWrite"
    assert (write.provider, write.service, write.method) == ("gcp", "cloudtrace", "POST")
    assert write.endpoint == "https://cloudtrace.googleapis.com/v2/{+name}/traces:batchWrite"
    assert write.access == "write"
    name = write.parameter("name")
    assert name.location == "path" and name.required and name.json_schema["pattern"]
    body = write.parameter("body")
    assert body.location == "body" and body.required
    assert write.request_body["title"] == "BatchWriteSpansRequest"
    assert write.request_body["properties"]["spans"]["items"]["title"] == "Span"
    assert write.documentation_url == "https://cloud.google.com/trace/"
    assert write.raw["flatPath"] == "v2/projects/{projectsId}/traces:batchWrite"
    assert write.source.format == "discovery"


def test_time_series_list(monitoring: dict[str, APISpec]) -> None:
    op = monitoring["monitoring.projects.timeSeries.list"]
    assert op.id == "gcp/monitoring/monitoring.projects.timeSeries.list"
    assert op.method == "GET" and op.access == "read"
    assert op.endpoint == "https://monitoring.googleapis.com/v3/{+name}/timeSeries"
    assert op.parameters[0].name == "name"  # parameterOrder first
    flt = op.parameter("filter")
    assert flt.location == "query" and flt.required and flt.description
    view = op.parameter("view")
    assert view.json_schema["enum"] == ["FULL", "HEADERS"]
    aligners = op.parameter("aggregation.groupByFields")
    assert aligners.type == "array" and aligners.json_schema["items"]["type"] == "string"
    assert op.pagination == {"input_token": "pageToken", "output_token": "nextPageToken",
                             "limit_key": "pageSize", "result_key": "timeSeries"}
    assert op.return_type == "ListTimeSeriesResponse"
    points = op.return_schema["properties"]["timeSeries"]["items"]["properties"]["points"]
    assert points["items"]["title"] == "Point"
    assert op.summary.startswith("Lists time series")


def test_access_by_verb_and_name(monitoring: dict[str, APISpec], container) -> None:
    assert monitoring["monitoring.projects.timeSeries.query"].method == "POST"
    assert monitoring["monitoring.projects.timeSeries.query"].access == "read"
    assert monitoring["monitoring.projects.timeSeries.create"].access == "write"
    assert monitoring["monitoring.projects.alertPolicies.delete"].access == "write"
    assert monitoring["monitoring.projects.alertPolicies.patch"].access == "write"
    code = monitoring["monitoring.projects.notificationChannels.getVerificationCode"]
    assert code.method == "POST" and code.access == "write"
    assert container["container.projects.locations.clusters.list"].access == "read"
    assert container["container.projects.locations.clusters.delete"].access == "write"
    assert container["container.projects.zones.clusters.create"].access == "write"
    assert container["container.projects.locations.clusters.get"].endpoint == (
        "https://container.googleapis.com/v1/{+name}")


def test_post_reads_in_logging(pm) -> None:
    ops = parse(pm, SNAPSHOTS / "gcp_logging_v2.json")
    entries = ops["logging.entries.list"]
    assert entries.method == "POST" and entries.access == "read"
    assert entries.request_body["title"] == "ListLogEntriesRequest"
    assert ops["logging.entries.write"].access == "write"
    assert ops["logging.projects.sinks.list"].pagination["result_key"] == "sinks"


def test_schemas_are_bounded(container: dict[str, APISpec]) -> None:
    clusters = container["container.projects.locations.clusters.list"].return_schema
    text = json.dumps(clusters)
    assert TRUNCATED_KEY in text and len(text) < 400_000
    cluster = clusters["properties"]["clusters"]["items"]
    assert cluster["title"] == "Cluster" and "nodePools" in cluster["properties"]


def _doc(schemas: dict, response: str = "Node") -> bytes:
    return json.dumps({
        "kind": "discovery#restDescription", "name": "toy", "version": "v1",
        "rootUrl": "https://toy.googleapis.com/", "servicePath": "",
        "schemas": schemas,
        "resources": {"a": {"resources": {"b": {"methods": {"get": {
            "id": "toy.a.b.get", "httpMethod": "GET", "path": "v1/{name}",
            "parameters": {"name": {"type": "string", "location": "path", "required": True}},
            "response": {"$ref": response}}}}}}},
    }).encode()


def test_cycles_cut_and_nested_resources(pm) -> None:
    schemas = {"Node": {"id": "Node", "type": "object", "properties": {
        "name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "Node"}}}}}
    source = SpecSource(name="toy", provider="acme", url="toy.json", service="toys")
    (op,) = parse_content(pm, _doc(schemas), source)
    assert op.id == "acme/toys/toy.a.b.get" and op.endpoint == "https://toy.googleapis.com/v1/{name}"
    child = op.return_schema["properties"]["children"]["items"]
    assert child == {"type": "object", "title": "Node", CYCLE_KEY: True}


def test_broken_documents_raise_typed_errors(pm) -> None:
    source = SpecSource(name="toy", provider="gcp", url="toy.json", format="discovery")
    with pytest.raises(SpecParseError, match=r"toy.a.b.get: \$ref 'Missing' is not defined"):
        parse_content(pm, _doc({}, response="Missing"), source)
    with pytest.raises(SpecParseError, match="not valid JSON"):
        parse_content(pm, b'{"kind": "discovery#restDescription", ', source)
    with pytest.raises(SpecParseError, match="not a discovery document"):
        parse_content(pm, b'{"kind": "something#else"}', source)
    empty = json.dumps({"kind": "discovery#restDescription", "name": "toy"}).encode()
    with pytest.raises(SpecParseError, match="defines no operations"):
        parse_content(pm, empty, source)
