"""The volcenginesdk format plugin: the installed SDK packages read as specs, offline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mcp_sre.errors import SpecFetchError, SpecParseError
from mcp_sre.specs.model import SourceInfo, SpecSource
from mcp_sre.specs.parse import parse_content
from mcp_sre.toolcode.calls import SdkCall
from mcp_sre_volcengine.sdk_calls import sdk_call_operation
from mcp_sre_volcenginesdk.convert import access_from_action, convert_package, snake_name
from mcp_sre_volcenginesdk.installed import build_manifest, package_dir


def test_every_default_service_has_operations(volc_lookup) -> None:
    by_service: dict[str, list] = {}
    for spec in volc_lookup.specs.values():
        by_service.setdefault(spec.service, []).append(spec)
    assert set(by_service) == {"ecs", "vpc", "vke", "clb", "rdsmysqlv2", "cloudmonitor"}
    assert all(len(ops) >= 50 for ops in by_service.values())
    assert all(any(s.access == "read" for s in ops) for ops in by_service.values())


def test_describe_instances(volc_lookup) -> None:
    spec = volc_lookup("volcengine/ecs/DescribeInstances")
    assert spec.access == "read" and spec.method == "GET"
    assert spec.endpoint == "/DescribeInstances/2020-04-01/ecs/get/text_plain/"
    assert spec.pagination == {"input_token": "NextToken", "output_token": "NextToken",
                               "limit_key": "MaxResults"}
    ids = spec.parameter("InstanceIds")
    assert ids is not None and ids.type == "array" and ids.location == "query"
    tags = spec.parameter("TagFilters")
    assert tags is not None and set(tags.json_schema["items"]["properties"]) >= {"Key", "Values"}
    instance = spec.return_schema["properties"]["Instances"]["items"]["properties"]
    assert {"InstanceId", "Status", "ZoneId"} <= set(instance)
    assert "ECSApi().describe_instances()" in spec.summary  # searchable by the SDK's names
    assert spec.raw["x-service-title"] == "Elastic Compute Service"


def test_required_parameters_and_json_body(volc_lookup) -> None:
    spec = volc_lookup("volcengine/cloudmonitor/GetMetricData")
    assert spec.method == "POST" and spec.access == "read"
    required = {p.name for p in spec.parameters if p.required}
    assert required == {"MetricName", "Namespace", "SubNamespace"}
    assert all(p.location == "body" for p in spec.parameters)


def test_access_from_the_action_name(volc_lookup) -> None:
    assert access_from_action("DescribeVpcs") == "read"
    assert access_from_action("RunInstances") == "write"
    assert access_from_action("Describe95PercentilePeakBandwidth") == "read"
    assert volc_lookup("volcengine/ecs/DescribeInstanceVncUrl").access == "write"  # grants
    assert volc_lookup("volcengine/vke/DeleteCluster").access == "write"
    assert snake_name("DescribeNLBListeners") == "describe_nlb_listeners"


def test_sdk_calls_name_operations() -> None:
    call = SdkCall(factory="volcenginesdkecs.ECSApi", method="describe_instances")
    assert sdk_call_operation(call) == "volcengine/ecs/DescribeInstances"
    call = SdkCall(factory="vpc.VPCApi", method="describe_eip_addresses_with_http_info")
    assert sdk_call_operation(call) == "volcengine/vpc/DescribeEipAddresses"
    assert sdk_call_operation(SdkCall(factory="boto3.client", method="describe_instances")) \
        is None


def test_missing_package_is_a_clear_fetch_error() -> None:
    source = SpecSource(name="volcengine-nope", provider="volcengine",
                        url="volcenginesdk:nope", format="volcenginesdk")
    with pytest.raises(SpecFetchError, match="volcenginesdk-nope") as err:
        build_manifest(source)
    assert "pip install volcenginesdk-nope" in str(err.value.hint)


def test_broken_package_marks_only_its_source(tmp_path: Path, volc_pm) -> None:
    broken = tmp_path / "volcenginesdkecs"
    shutil.copytree(package_dir("ecs") / "api", broken / "api")
    (broken / "models").mkdir()
    (broken / "api" / "ecs_api.py").write_text("call_api(\n'/Bad/', 'GET'")
    info = SourceInfo(url=str(broken), format="volcenginesdk")
    assert convert_package(broken, service="ecs", provider="volcengine", info=info) == []
    (broken / "api" / "ecs_api.py").unlink()
    with pytest.raises(SpecParseError, match="no api"):
        convert_package(broken, service="ecs", provider="volcengine", info=info)
    source = SpecSource(name="volcengine-ecs", provider="volcengine",
                        url="volcenginesdk:ecs", format="volcenginesdk")
    with pytest.raises(SpecParseError, match="manifest"):
        parse_content(volc_pm, json.dumps({"kind": "volcenginesdk-installed"}).encode(), source)


def test_one_broken_source_leaves_the_others_working(home: Path) -> None:
    """``specs sync`` offline on a fresh home: every volcengine source has operations; a
    source naming a package that is not installed fails alone, with the pip command."""
    from click.testing import CliRunner

    from mcp_sre.cli import main

    (home / "config.yaml").write_text(
        "sources:\n- {name: volcengine-nope, provider: volcengine, url: 'volcenginesdk:nope',"
        " format: volcenginesdk}\n")
    names = ["volcengine-ecs", "volcengine-cloudmonitor", "volcengine-nope"]
    result = CliRunner().invoke(main, ["specs", "sync", *names, "--json"],
                                env={"MCP_SRE_OFFLINE": "1"})
    rows = {row["name"]: row for row in json.loads(result.output)}
    assert rows["volcengine-ecs"]["operations"] > 100 and not rows["volcengine-ecs"]["error"]
    assert rows["volcengine-cloudmonitor"]["operations"] > 50
    assert "pip install volcenginesdk-nope" in rows["volcengine-nope"]["error"]
    shown = CliRunner().invoke(main, ["specs", "show", "volcengine/cloudmonitor/GetMetricData"])
    assert shown.exit_code == 0 and "MetricName" in shown.output
