"""Volcano Engine against Prism: ``mcp-sre specs export volcengine-ecs --format openapi`` (and
cloudmonitor) served by Prism on 127.0.0.1 behind the signature-checking gateway, so the
executor's requests are validated against the SDK-derived spec and the answers conform to it.
Chosen data (instances above 80 % CPU) are Prism examples (static mode)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

prism_mock = pytest.importorskip("prism_mock", reason="needs tests/prism_mock.py")
pytest.importorskip("mcp_sre.specs.export", reason="needs mcp-sre specs export")

from conftest_volcengine import gateway, prism_answer  # noqa: E402

from mcp_sre.cli import main  # noqa: E402
from mcp_sre.sandbox import Sandbox  # noqa: E402

TOOLS = Path(__file__).parents[3] / "tool_registry_src"
CPU = {"i-hot1": 91.0, "i-hot2": 85.5, "i-cold": 12.0}
ONLY = ["volcengine/ecs/DescribeInstances", "volcengine/ecs/DescribeInstanceTypes",
        "volcengine/ecs/DescribeImages", "volcengine/cloudmonitor/GetMetricData"]


@pytest.fixture(scope="module")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Any:
    prism_mock.prism_or_skip()
    home = tmp_path_factory.mktemp("volc-export")
    env = {"MCP_SRE_HOME": str(home)}
    for source in ("volcengine-ecs", "volcengine-cloudmonitor"):
        result = CliRunner().invoke(main, ["specs", "sync", source], env=env)
        assert result.exit_code == 0, result.output
    doc = prism_mock.exported_openapi(["volcengine-ecs", "volcengine-cloudmonitor"],
                                      only=ONLY, env=env)
    assert {op["x-mcp-sre-id"] for item in doc["paths"].values() for op in item.values()} \
        == set(ONLY)
    prism_mock.add_example(doc, "/DescribeInstances/2020-04-01/ecs/get/text_plain/", "get", {
        "Instances": [{"InstanceId": i, "InstanceName": f"web-{i[2:]}", "Status": "RUNNING",
                       "ZoneId": "cn-beijing-a"} for i in CPU], "NextToken": ""})
    prism_mock.add_example(
        doc, "/GetMetricData/2018-01-01/cloudmonitor/post/application_json/", "post",
        {"Data": {"MetricName": "CpuTotal", "Namespace": "VCM_ECS", "MetricDataResults": [
            {"Dimensions": [{"Name": "ResourceID", "Value": i}],
             "DataPoints": [{"Timestamp": 1, "Value": v - 2}, {"Timestamp": 2, "Value": v + 2}]}
            for i, v in CPU.items()]}})
    workdir = tmp_path_factory.mktemp("prism")
    with prism_mock.start_prism(doc, workdir) as url:
        yield url, doc


@pytest.fixture
def gw(prism, volc_env, monkeypatch: pytest.MonkeyPatch):
    url, doc = prism
    seen: list[dict[str, Any]] = []
    with gateway(prism_answer(url, doc, seen)) as server:
        monkeypatch.setenv("VOLCENGINE_ENDPOINT_URL", server.url)
        server.prism_calls = seen
        yield server


def test_export_is_openapi_with_the_sdk_shapes(prism) -> None:
    _, doc = prism
    get = doc["paths"]["/DescribeInstances/2020-04-01/ecs/get/text_plain/"]["get"]
    assert {p["name"] for p in get["parameters"]} >= {"InstanceIds", "MaxResults", "NextToken"}
    post = doc["paths"]["/GetMetricData/2018-01-01/cloudmonitor/post/application_json/"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["required"]) == {"MetricName", "Namespace", "SubNamespace"}
    assert json.dumps(doc)  # plain JSON


def test_starter_tool_code_against_prism(volc_sandbox: Sandbox, gw) -> None:
    text = (TOOLS / "volcengine_ecs_instances_high_cpu.py").read_text()
    code = text.split("# --- test ---")[0]
    program = code + """
import sre
types = sre.call("volcengine/ecs/DescribeInstanceTypes", MaxResults=5)
sre.result({"hot": main(threshold=80.0), "types": sorted(types)})
"""
    result = volc_sandbox.run(program, providers=["volcengine"])
    assert result.ok, (result.error, result.stderr)
    hot = result.result["hot"]
    assert [(r["instance_id"], r["cpu_average"]) for r in hot["instances"]] == [
        ("i-hot1", 91.0), ("i-hot2", 85.5)]
    assert "InstanceTypes" in result.result["types"]  # Prism answered from the schema
    # every request passed Prism's validation against the exported spec, and was signed
    assert gw.prism_calls and all(c["status"] == 200 for c in gw.prism_calls)
    assert all(r["signature"] == "ok" for r in gw.requests)


def test_an_action_the_mock_does_not_serve(volc_sandbox: Sandbox, gw) -> None:
    code = """
import volcenginesdkecs
from volcenginesdkcore.rest import ApiException
try:
    volcenginesdkecs.ECSApi().describe_key_pairs({})
except ApiException as exc:
    sre.result([exc.status, exc.reason])
"""
    result = volc_sandbox.run(code, providers=["volcengine"])
    assert result.result == [404, "InvalidActionOrVersion"], (result.error, result.stderr)
