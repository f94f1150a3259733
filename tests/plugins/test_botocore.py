"""The botocore format plugin and the ``botocore:`` scheme, through the real plugin manager,
on real botocore models (fixtures copied from the botocore wheel, and the installed botocore)."""

from __future__ import annotations

import gzip
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import botocore
import pytest

from mcp_sre.errors import SpecFetchError, SpecParseError, UnknownFormatError
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.specs.fetch import fetch_source
from mcp_sre.specs.jsonref import CYCLE_KEY, TRUNCATED_KEY
from mcp_sre.specs.model import APISpec, SpecSource
from mcp_sre.specs.parse import detect_format, parse_content
from mcp_sre_botocore.convert import access_from_name, strip_html

BOTO = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "botocore"
STS = BOTO / "sts" / "2011-06-15" / "service-2.json"
LOGS = BOTO / "logs" / "2014-03-28" / "service-2.json.gz"


@pytest.fixture(scope="module")
def pm():
    return make_plugin_manager()


def parse_file(pm, path: Path, **extra) -> dict[str, APISpec]:
    source = SpecSource(name=extra.pop("name", "fixture"), provider="aws", url=str(path), **extra)
    return {s.name: s for s in parse_content(pm, path.read_bytes(), source)}


@pytest.fixture(scope="module")
def installed(pm) -> dict[str, APISpec]:
    """A real subset of the installed botocore, fetched and parsed through the hooks."""
    source = SpecSource(name="aws-subset", provider="aws", format="botocore",
                        url="botocore:ec2,logs,cloudwatch,s3,sts,cognito-identity,sqs,elbv2")
    fetched = fetch_source(source, pm=pm)
    return {s.id: s for s in parse_content(pm, fetched.content, source)}


# ------------------------------------------------------------------ single service-2.json


def test_detects_plain_and_gzipped_models_but_not_other_json(pm) -> None:
    source = SpecSource(name="x", provider="aws", url="x.json")
    assert detect_format(pm, STS.read_bytes(), source) == "botocore"
    assert detect_format(pm, LOGS.read_bytes(), source) == "botocore"
    assert pm.hook.detect_spec_format(content=b'{"metadata": {"protocol": "json"}}',
                                      source=source) != "botocore"
    with pytest.raises(UnknownFormatError):
        detect_format(pm, b'{"hello": "world"}', source)


def test_sts_from_a_file_in_botocore_layout(pm) -> None:
    ops = parse_file(pm, STS)
    assert "GetCallerIdentity" in ops and "AssumeRole" in ops
    who = ops["GetCallerIdentity"]
    assert who.id == "aws/sts/GetCallerIdentity"  # service from the <service>/<version>/ dirs
    assert (who.provider, who.service, who.method, who.endpoint) == ("aws", "sts", "POST", "/")
    assert who.access == "read"
    assert who.documentation_url == (
        "https://docs.aws.amazon.com/goto/WebAPI/sts-2011-06-15/GetCallerIdentity")
    assert who.summary.startswith("Returns details about the IAM user or role")
    assert "<" not in who.description and "sts:GetCallerIdentity" in who.description
    assert who.return_type == "GetCallerIdentityResponse"
    assert set(who.return_schema["properties"]) >= {"UserId", "Account", "Arn"}
    assert "documentation" not in who.raw and who.raw["input"]["shape"]
    assert who.source.format == "botocore"


def test_search_hints_in_raw_titles_examples_popularity(pm) -> None:
    """Generic ``x-`` keys the retrieval index reads: the service's names, the titles of the
    examples botocore ships beside the model, and a popularity prior."""
    ops = parse_file(pm, STS)
    who = ops["GetCallerIdentity"]
    assert who.raw["x-service-title"] == "AWS Security Token Service"
    assert who.raw["x-service-titles"] == ["STS", "AWS STS"]
    assert who.raw["x-example-titles"][0] == "To get details about a calling IAM user"
    assert len(who.raw["x-example-titles"]) == 3 and who.raw["x-popularity"] == 1.0
    no_examples = ops["GetAccessKeyInfo"]
    assert "x-example-titles" not in no_examples.raw and "x-popularity" not in no_examples.raw
    assert no_examples.raw["x-service-title"] == "AWS Security Token Service"


def test_sts_parameters_and_credential_minting_is_write(pm) -> None:
    ops = parse_file(pm, STS)
    role = ops["AssumeRole"]
    assert role.access == "write"
    arn = role.parameter("RoleArn")
    assert arn is not None and arn.required and arn.location == "body"
    assert arn.type == "string" and arn.json_schema["type"] == "string"
    duration = role.parameter("DurationSeconds")
    assert duration is not None and not duration.required
    assert duration.json_schema["type"] == "integer" and duration.json_schema["minimum"] == 900
    tags = role.parameter("Tags")
    assert tags is not None and tags.type == "array"
    assert tags.json_schema["items"]["properties"]["Key"]["type"] == "string"
    # A Get* that issues credentials: the aws plugin's classify hook overrides the verb.
    assert ops["GetSessionToken"].access == "write"
    assert ops["GetFederationToken"].access == "write"
    assert ops["GetAccessKeyInfo"].access == "read"


def test_service_falls_back_to_source_service_then_endpoint_prefix(pm, tmp_path: Path) -> None:
    loose = tmp_path / "model.json"
    shutil.copy(STS, loose)
    assert parse_file(pm, loose)["AssumeRole"].id == "aws/sts/AssumeRole"  # endpointPrefix
    ops = parse_file(pm, loose, service="security-token")
    assert ops["AssumeRole"].id == "aws/security-token/AssumeRole"


def test_gzipped_logs_with_paginators_and_sdk_extras(pm) -> None:
    ops = parse_file(pm, LOGS)
    fle = ops["FilterLogEvents"]
    assert fle.id == "aws/logs/FilterLogEvents" and fle.access == "read"
    assert fle.pagination == {"input_token": "nextToken", "output_token": "nextToken",
                              "limit_key": "limit", "result_key": ["events", "searchedLogStreams"]}
    assert fle.parameter("logGroupName") is not None
    assert fle.parameter("startTime").json_schema["type"] == "integer"
    assert ops["DeleteLogGroup"].access == "write"
    assert ops["TestMetricFilter"].access == "read"  # aws override: Test* is a write verb
    history = ops["GetScheduledQueryHistory"]  # merged from paginators-1.sdk-extras.json
    assert history.pagination is not None and history.pagination["input_token"] == "nextToken"


def test_served_over_http(pm) -> None:
    body = STS.read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/sts/service-2.json"
        source = SpecSource(name="sts-http", provider="aws", url=url)
        fetched = fetch_source(source, pm=pm)
        specs = parse_content(pm, fetched.content, source)
    finally:
        server.shutdown()
        server.server_close()
    by_name = {s.name: s for s in specs}
    assert by_name["GetCallerIdentity"].id == "aws/sts/GetCallerIdentity"
    assert by_name["GetCallerIdentity"].pagination is None  # no paginators over plain http


def _model(shapes: dict, operations: dict | None = None) -> bytes:
    return json.dumps({
        "version": "2.0",
        "metadata": {"apiVersion": "2020-01-01", "endpointPrefix": "toy", "protocol": "json"},
        "operations": operations or {"DescribeTree": {
            "name": "DescribeTree", "http": {"method": "POST", "requestUri": "/"},
            "input": {"shape": "Node"}, "output": {"shape": "Node"},
            "documentation": "<p>Walks a <b>tree</b>. Second sentence.</p>"}},
        "shapes": shapes,
    }).encode()


def test_recursive_shapes_are_cut_not_looped(pm) -> None:
    shapes = {
        "Node": {"type": "structure", "required": ["Name"], "members": {
            "Name": {"shape": "Str"}, "Children": {"shape": "NodeList"},
            "Parent": {"shape": "Node"}}},
        "NodeList": {"type": "list", "member": {"shape": "Node"}},
        "Str": {"type": "string", "enum": ["a", "b"]},
    }
    source = SpecSource(name="toy", provider="aws", url="toy.json")
    (spec,) = parse_content(pm, _model(shapes), source)
    assert spec.id == "aws/toy/DescribeTree" and spec.summary == "Walks a tree."
    assert spec.access == "read"
    assert spec.parameter("Name").required and spec.parameter("Name").json_schema["enum"] == ["a", "b"]
    assert spec.parameter("Parent").json_schema == {"type": "object", "title": "Node",
                                                    CYCLE_KEY: True}
    children = spec.return_schema["properties"]["Children"]["items"]
    assert children.get(CYCLE_KEY) or children.get(TRUNCATED_KEY)
    assert len(json.dumps(spec.return_schema)) < 2000


def test_broken_models_raise_typed_errors(pm) -> None:
    source = SpecSource(name="broken", provider="aws", url="broken.json", format="botocore")
    with pytest.raises(SpecParseError, match="'Missing' is referenced but not defined"):
        parse_content(pm, _model({"Node": {"type": "structure", "members": {
            "X": {"shape": "Missing"}}}}), source)
    with pytest.raises(SpecParseError, match="not valid JSON"):
        parse_content(pm, b'{"metadata": {', source)
    with pytest.raises(SpecParseError, match="not a botocore service model"):
        parse_content(pm, b'{"openapi": "3.0.0", "paths": {}}', source)
    with pytest.raises(SpecParseError, match="not valid JSON"):
        parse_content(pm, gzip.compress(b"{not json")[:20], source)


def test_access_naming_convention() -> None:
    reads = ["DescribeInstances", "GetMetricData", "ListBuckets", "SearchTables", "LookupEvents",
             "Query", "Scan", "BatchGetItem", "CheckDomainAvailability", "ValidateTemplate",
             "HeadObject", "FilterLogEvents", "AdminGetUser", "EstimateTemplateCost",
             "SelectObjectContent", "IsAuthorized", "SimulatePrincipalPolicy"]
    writes = ["TerminateInstances", "DeleteBucket", "PutObject", "BatchDeleteItem", "Checkout",
              "CheckoutLicense", "AssumeRole", "SendMessage", "ReceiveMessage", "Issue",
              "InvokeFunction", "StartQuery", "TestInvokeMethod", "AdminDeleteUser", "Getaway",
              "BatchEvaluateGeofences", "Decrypt", "VerifyEmailIdentity", "Frobnicate", ""]
    assert [n for n in reads if access_from_name(n) != "read"] == []
    assert [n for n in writes if access_from_name(n) != "write"] == []


def test_strip_html_bounds_and_unescapes() -> None:
    assert strip_html("<p>a &amp; b</p>\n <code>x</code>") == "a & b x"
    long = "<p>" + "word " * 500 + "</p>"
    assert len(strip_html(long, 100)) == 100 and strip_html(long, 100).endswith("…")
    assert "<" not in strip_html("<p>" + "y" * 500 + '<a href="very-long-link', 100)


# ------------------------------------------------------------------ installed botocore


def test_manifest_names_version_and_services(pm) -> None:
    source = SpecSource(name="aws", provider="aws", url="botocore:ec2,logs", format="botocore")
    fetched = fetch_source(source, pm=pm)
    manifest = json.loads(fetched.content)
    assert manifest["kind"] == "botocore-installed"
    assert manifest["botocore_version"] == botocore.__version__
    assert set(manifest["services"]) == {"ec2", "logs"}
    assert manifest["services"]["ec2"] == "2016-11-15"
    assert fetched.etag and botocore.__version__ in fetched.etag
    again = fetch_source(source, pm=pm, etag=fetched.etag)
    assert again.not_modified and again.content == b""
    other = fetch_source(source.model_copy(update={"url": "botocore:ec2"}), pm=pm,
                         etag=fetched.etag)
    assert not other.not_modified and other.etag != fetched.etag


def test_unknown_service_is_a_fetch_error_with_a_suggestion(pm) -> None:
    source = SpecSource(name="aws", provider="aws", url="botocore:ec2,cloudwach")
    with pytest.raises(SpecFetchError, match="cloudwach") as info:
        fetch_source(source, pm=pm)
    assert "cloudwatch" in str(info.value)


def test_describe_instances(installed: dict[str, APISpec]) -> None:
    op = installed["aws/ec2/DescribeInstances"]
    assert op.access == "read" and op.service == "ec2" and op.method == "POST"
    names = {p.name for p in op.parameters}
    assert {"Filters", "InstanceIds", "MaxResults", "NextToken", "DryRun"} <= names
    assert op.parameter("Filters").json_schema["items"]["properties"]["Values"]["type"] == "array"
    assert op.pagination["input_token"] == "NextToken"
    assert op.pagination["result_key"] == "Reservations"
    assert op.return_type == "DescribeInstancesResult"
    instance = op.return_schema["properties"]["Reservations"]["items"]["properties"][
        "Instances"]["items"]
    assert instance["title"] == "Instance" and "InstanceId" in instance["properties"]
    assert op.source.url.endswith("service-2.json.gz") and op.source.format == "botocore"
    assert op.documentation_url.endswith("/ec2-2016-11-15/DescribeInstances")
    assert op.raw["x-service-title"] == "Amazon Elastic Compute Cloud"
    assert "To describe an Amazon EC2 instance" in op.raw["x-example-titles"]


def test_a_map_keyed_by_a_closed_set_names_its_keys(installed: dict[str, APISpec]) -> None:
    """GetQueueAttributes replies with one map keyed by QueueAttributeName: the keys it can
    hold are the reply's fields, so a search for "approximate number of messages" finds it;
    a map with open keys (tags) gets no key list."""
    from mcp_sre.retrieval.documents import spec_output_fields

    op = installed["aws/sqs/GetQueueAttributes"]
    attributes = op.return_schema["properties"]["Attributes"]
    assert "ApproximateNumberOfMessages" in attributes["propertyNames"]["enum"]
    assert "ApproximateNumberOfMessages" in spec_output_fields(op)
    tags = installed["aws/sqs/ListQueueTags"].return_schema["properties"]["Tags"]
    assert tags["type"] == "object" and "propertyNames" not in tags


def test_a_key_whose_documentation_lists_its_names_carries_them(
        installed: dict[str, APISpec]) -> None:
    """A target group's attribute Key is a free string whose documentation lists the keys
    (deregistration_delay.timeout_seconds, ...): they become the schema's examples and the
    reply's fields, so "deregistration delay of tg X" finds DescribeTargetGroupAttributes; a
    key documented in prose only (a tag's) gets none."""
    from mcp_sre.retrieval.documents import spec_output_fields

    op = installed["aws/elbv2/DescribeTargetGroupAttributes"]
    key = op.return_schema["properties"]["Attributes"]["items"]["properties"]["Key"]
    assert "deregistration_delay.timeout_seconds" in key["examples"]
    assert "deregistration_delay.timeout_seconds" in spec_output_fields(op)
    tag = installed["aws/elbv2/DescribeTags"].return_schema["properties"]["TagDescriptions"]
    assert "examples" not in tag["items"]["properties"]["Tags"]["items"]["properties"]["Key"]


def test_installed_access(installed: dict[str, APISpec]) -> None:
    assert installed["aws/ec2/TerminateInstances"].access == "write"
    assert installed["aws/ec2/RunInstances"].access == "write"
    assert installed["aws/cloudwatch/GetMetricData"].access == "read"
    assert installed["aws/s3/DeleteBucket"].access == "write"
    assert installed["aws/s3/GetObject"].access == "read"
    assert installed["aws/logs/FilterLogEvents"].access == "read"
    assert installed["aws/sts/GetSessionToken"].access == "write"
    assert installed["aws/cognito-identity/GetId"].access == "write"
    assert installed["aws/cognito-identity/GetCredentialsForIdentity"].access == "write"
    assert installed["aws/cognito-identity/DescribeIdentityPool"].access == "read"
    assert {s.provider for s in installed.values()} == {"aws"}


def test_parse_follows_the_installed_version_when_the_manifest_is_stale(pm) -> None:
    manifest = {"kind": "botocore-installed", "botocore_version": "0.0.0",
                "services": {"sts": "1999-01-01", "no-such-service": "2020-01-01"}}
    source = SpecSource(name="aws", provider="aws", url="botocore:sts", format="botocore")
    specs = parse_content(pm, json.dumps(manifest).encode(), source)
    assert {s.service for s in specs} == {"sts"} and len(specs) >= 8
    with pytest.raises(SpecParseError, match="no 'services'"):
        parse_content(pm, b'{"kind": "botocore-installed"}', source)


@pytest.fixture(scope="module")
def everything(pm) -> Iterator[list[APISpec]]:
    source = SpecSource(name="aws", provider="aws", url="botocore:all", format="botocore")
    yield parse_content(pm, fetch_source(source, pm=pm).content, source)


def test_all_installed_services(everything: list[APISpec]) -> None:
    assert len({s.service for s in everything}) >= 400
    assert len(everything) >= 18000
    ids = [s.id for s in everything]
    assert len(set(ids)) == len(ids)
    reads = sum(s.access == "read" for s in everything)
    assert 0.3 < reads / len(everything) < 0.7


def test_sdk_extras_are_merged(pm) -> None:
    source = SpecSource(name="aws", provider="aws", url="botocore:rds", format="botocore")
    ops = {s.name: s for s in parse_content(pm, fetch_source(source, pm=pm).content, source)}
    region = ops["CopyDBClusterSnapshot"].parameter("SourceRegion")
    assert region is not None and region.type == "string" and "region" in region.description
