"""The proto format plugin, through the real plugin manager and real grpc-proto / googleapis
files compiled by grpc_tools.protoc."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mcp_sre.errors import SpecParseError
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.specs.model import APISpec, SpecSource
from mcp_sre.specs.parse import detect_format, parse_content

SPECS = Path(__file__).parent.parent / "fixtures" / "specs"


@pytest.fixture(scope="module")
def pm():
    return make_plugin_manager()


def _source(name: str, url: str = "", **options) -> SpecSource:
    return SpecSource(name=name, provider="grpc", url=url or f"{name}.proto", options=options)


def parse_file(pm, filename: str, **options) -> dict[str, APISpec]:
    path = SPECS / filename
    specs = parse_content(pm, path.read_bytes(), _source(path.stem, str(path), **options))
    return {s.id: s for s in specs}


def parse_text(pm, text: str, name: str = "inline", **options) -> list[APISpec]:
    return parse_content(pm, text.encode(), _source(name, **options))


def rpc_count(filename: str) -> int:
    """Independent count: rpc declarations in the source text."""
    text = (SPECS / filename).read_text()
    return len(re.findall(r"^\s*rpc\s+\w+\s*\(", text, re.MULTILINE))


# --------------------------------------------------------------------------------------------
# detection
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("filename", sorted(p.name for p in SPECS.glob("*.proto")))
def test_every_proto_fixture_is_detected(pm, filename: str) -> None:
    content = (SPECS / filename).read_bytes()
    assert detect_format(pm, content, _source("x")) == "proto"


def test_proto_text_inside_html_or_json_is_not_claimed(pm) -> None:
    from mcp_sre_proto.plugin import looks_like_proto

    html = (
        b'<!doctype html><html><body><pre>\nsyntax = "proto3";\nservice A {}\n</pre></body></html>'
    )
    assert not looks_like_proto(html)
    assert not looks_like_proto(b'{"syntax": "proto3"}')
    assert looks_like_proto(b"// c\npackage a.b;\nservice S {\n  rpc M(R) returns (R);\n}\n")


# --------------------------------------------------------------------------------------------
# grpc-proto files: plain gRPC, no HTTP annotations
# --------------------------------------------------------------------------------------------


def test_health_check(pm) -> None:
    ops = parse_file(pm, "grpc_health_v1.proto")
    assert len(ops) == rpc_count("grpc_health_v1.proto")
    check = ops["grpc/grpc.health.v1/Health.Check"]
    assert check.method == "RPC"
    assert check.endpoint == "/grpc.health.v1.Health/Check"
    assert check.access == "read"
    assert check.service == "grpc.health.v1"
    assert check.description.startswith("Check gets the health of the specified service")
    [param] = check.parameters
    assert (param.name, param.location, param.type) == ("service", "message", "string")
    assert param.json_schema["type"] == "string"
    assert check.return_type == "grpc.health.v1.HealthCheckResponse"
    status = check.return_schema["properties"]["status"]
    assert status["enum"] == ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"]


def test_health_streaming_and_maps(pm) -> None:
    ops = parse_file(pm, "grpc_health_v1.proto")
    watch = ops["grpc/grpc.health.v1/Health.Watch"]
    assert watch.access == "read"
    assert watch.raw["server_streaming"] is True and watch.raw["client_streaming"] is False
    assert "Streaming: server." in watch.description
    listed = ops["grpc/grpc.health.v1/Health.List"]
    statuses = listed.return_schema["properties"]["statuses"]
    assert statuses["type"] == "object"
    assert statuses["additionalProperties"]["x-proto-type"] == "grpc.health.v1.HealthCheckResponse"


def test_reflection_bidi_stream_is_write(pm) -> None:
    ops = parse_file(pm, "grpc_reflection_v1.proto")
    [info] = ops.values()
    assert info.id == "grpc/grpc.reflection.v1/ServerReflection.ServerReflectionInfo"
    assert info.access == "write"  # name says nothing about reading: unknown counts as write
    assert info.raw["client_streaming"] and info.raw["server_streaming"]
    names = {p.name for p in info.parameters}
    assert {"host", "file_by_filename", "list_services"} <= names


def test_channelz_counts_and_well_known_types(pm) -> None:
    ops = parse_file(pm, "grpc_channelz_v1.proto")
    assert len(ops) == rpc_count("grpc_channelz_v1.proto")
    assert all(op.access == "read" for op in ops.values())  # every rpc is a Get*
    channel = ops["grpc/grpc.channelz.v1/Channelz.GetChannel"].return_schema
    data = channel["properties"]["channel"]["properties"]["data"]["properties"]
    assert data["last_call_started_timestamp"]["format"] == "date-time"  # Timestamp -> string


# --------------------------------------------------------------------------------------------
# googleapis files: vendored google/api imports, HTTP bindings, stubbed other imports
# --------------------------------------------------------------------------------------------


def test_pubsub_http_bindings_from_vendored_annotations(pm) -> None:
    ops = parse_file(pm, "googleapis_google_pubsub_v1_pubsub.proto")
    assert len(ops) == rpc_count("googleapis_google_pubsub_v1_pubsub.proto")
    get = ops["grpc/google.pubsub.v1/Publisher.GetTopic"]
    assert (get.method, get.endpoint) == ("GET", "/v1/{topic=projects/*/topics/*}")
    assert get.access == "read"
    assert get.raw["grpc_path"] == "/google.pubsub.v1.Publisher/GetTopic"
    assert get.raw["default_host"] == "pubsub.googleapis.com"
    topic = get.parameter("topic")
    assert topic is not None and topic.location == "path" and topic.required
    create = ops["grpc/google.pubsub.v1/Publisher.CreateTopic"]
    assert (create.method, create.access) == ("PUT", "write")
    assert create.raw["http"]["body"] == "*"
    # google.api.field_behavior = REQUIRED is read from the raw option bytes
    publish = ops["grpc/google.pubsub.v1/Publisher.Publish"]
    assert publish.parameter("messages").required
    assert publish.parameter("messages").type == "repeated google.pubsub.v1.PubsubMessage"


def test_pubsub_pagination_and_stubbed_import(pm) -> None:
    ops = parse_file(pm, "googleapis_google_pubsub_v1_pubsub.proto")
    listed = ops["grpc/google.pubsub.v1/Publisher.ListTopics"]
    assert listed.pagination == {
        "input_token": "page_token",
        "output_token": "next_page_token",
        "limit_key": "page_size",
        "result_key": "topics",
    }
    # google/pubsub/v1/schema.proto is not available: its types are opaque stubs, and said so
    assert listed.raw["stubbed_imports"] == {"google/pubsub/v1/schema.proto": ["Encoding"]}
    topic = ops["grpc/google.pubsub.v1/Publisher.CreateTopic"]
    encoding = topic.parameter("schema_settings").json_schema["properties"]["encoding"]
    assert encoding["x-proto-stub"] is True


def test_missing_import_strict_mode_names_the_file(pm) -> None:
    with pytest.raises(SpecParseError) as err:
        parse_file(pm, "googleapis_google_pubsub_v1_pubsub.proto", stub_missing_imports=False)
    assert "google/pubsub/v1/schema.proto" in str(err.value)


def test_container_and_monitoring_compile(pm) -> None:
    container = parse_file(pm, "googleapis_google_container_v1_cluster_service.proto")
    assert len(container) == rpc_count("googleapis_google_container_v1_cluster_service.proto")
    for op in container.values():  # reads are exactly the GET bindings or Get/List names
        http = op.raw.get("http", {}).get("method")
        assert (op.access == "read") == (
            http == "GET" or op.name.split(".")[1].startswith(("Get", "List", "Check"))
        )
    monitoring = parse_file(pm, "googleapis_google_monitoring_v3_metric_service.proto")
    assert len(monitoring) == rpc_count("googleapis_google_monitoring_v3_metric_service.proto")
    ts = monitoring["grpc/google.monitoring.v3/MetricService.ListTimeSeries"]
    assert ts.access == "read" and ts.method == "GET"
    stubs = ts.raw["stubbed_imports"]
    assert "TimeInterval" in stubs["google/monitoring/v3/common.proto"]
    assert stubs["google/api/metric.proto"] == ["MetricDescriptor"]


def test_missing_custom_option_cannot_be_stubbed(pm) -> None:
    text = """syntax = "proto3";
package acme.v1;
import "acme/options.proto";
service Things { rpc GetThing(Req) returns (Req) { option (acme.cache) = true; } }
message Req { string id = 1; }
"""
    with pytest.raises(SpecParseError) as err:
        parse_text(pm, text)
    assert "acme/options.proto" in str(err.value)
    assert "cannot be stubbed" in str(err.value)


def test_include_paths_resolve_imports(pm, tmp_path: Path) -> None:
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "types.proto").write_text(
        'syntax = "proto3";\npackage acme;\n// A thing.\nmessage Thing { string id = 1; }\n'
    )
    text = """syntax = "proto3";
package shop.v1;
import "acme/types.proto";
service Shop {
  // Lists things.
  rpc ListThings(acme.Thing) returns (acme.Thing);
}
"""
    [op] = parse_text(pm, text, include_paths=[str(tmp_path)])
    assert "stubbed_imports" not in op.raw
    assert op.parameter("id").type == "string"
    assert op.summary == "Lists things."


# --------------------------------------------------------------------------------------------
# schemas: cycles, no package, bad input
# --------------------------------------------------------------------------------------------


def test_recursive_messages_are_cut(pm) -> None:
    text = """syntax = "proto3";
service Tree { rpc Walk(Node) returns (Node); rpc Prune(Node) returns (Node); }
message Node { string name = 1; repeated Node children = 2; map<string, Node> by_name = 3; }
"""
    ops = {op.name: op for op in parse_text(pm, text, name="trees")}
    walk = ops["Tree.Walk"]
    assert walk.id == "grpc/trees/Tree.Walk"  # no package: the source name is the service
    assert walk.endpoint == "/Tree/Walk"
    assert ops["Tree.Prune"].access == "write"
    children = walk.parameter("children")
    assert children.type == "repeated Node"
    assert children.json_schema["items"]["x-recursive"] is True
    assert walk.parameter("by_name").type == "map<string, Node>"
    inner = walk.return_schema["properties"]["children"]["items"]
    assert inner == {"type": "object", "x-proto-type": "Node", "x-recursive": True}


def test_syntax_error_reports_protoc_message(pm) -> None:
    text = 'syntax = "proto3";\nservice Broken { rpc Oops(Req) returns Req; }\nmessage Req {}\n'
    with pytest.raises(SpecParseError) as err:
        parse_text(pm, text, name="broken")
    message = str(err.value)
    assert "protoc rejected the file" in message
    assert "broken.proto:2:" in message  # protoc's own file:line:column diagnostics


def test_undefined_type_without_missing_import_is_an_error(pm) -> None:
    text = 'syntax = "proto3";\nservice S { rpc Get(Nope) returns (Nope); }\n'
    with pytest.raises(SpecParseError, match='"Nope" is not defined'):
        parse_text(pm, text)


def test_empty_and_service_less_documents(pm) -> None:
    with pytest.raises(SpecParseError, match="empty proto document"):
        empty = SpecSource(name="empty", provider="grpc", url="empty.proto", format="proto")
        parse_content(pm, b"  \n", empty)
    with pytest.raises(SpecParseError, match="defines no service"):
        parse_text(pm, 'syntax = "proto3";\npackage a;\nmessage M { int64 n = 1; }\n')
