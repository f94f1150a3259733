"""Volcano Engine end to end through ``mcp-sre serve`` (stdio) and the real MCP client: the
simple request "列出CPU>80%的云服务器" is retrieved, written by a scripted stand-in for the
client's model (behind the real sampling protocol), run in the sandbox over the volcenginesdk
shims, signed by the host executor, checked by the signature-checking gateway and answered by
Prism serving ``mcp-sre specs export`` of the operations with the chosen data as examples;
the tool and the plugin's starter tools are registered and called; a write and a sensitive read
are refused and never sent."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("volcenginesdkecs", reason="volcenginesdk-* packages are not installed")

from conftest_volcengine import FLEET, STOPPED, volcengine_mock
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

sys.path.insert(0, str(Path(__file__).parents[1] / "agents"))
from stand_in import ScriptedStandInLLM

prism_mock = pytest.importorskip("prism_mock", reason="needs tests/prism_mock.py")
pytest.importorskip("mcp_sre.specs.export", reason="needs mcp-sre specs export")

pytestmark = pytest.mark.anyio
REQUEST = "列出CPU>80%的云服务器"
TOOLS = ("volcengine_ecs_instances_high_cpu", "volcengine_ecs_instances_by_status",
         "volcengine_recent_error_events")

CODE = '''\
import time

import volcenginesdkcloudmonitor as cm
import volcenginesdkecs


def main(threshold: float = 80.0, minutes: int = 60, max_instances: int = 200) -> list:
    """Running ECS instances whose average CPU (CloudMonitor CpuTotal) over the last minutes
    is above threshold percent, hottest first."""
    ecs = volcenginesdkecs.ECSApi()
    instances, token = [], None
    for _ in range(20):
        resp = ecs.describe_instances(volcenginesdkecs.DescribeInstancesRequest(
            status="RUNNING", max_results=100, next_token=token))
        instances += resp.instances or []
        token = resp.next_token
        if not token or len(instances) >= max_instances:
            break
    names = {i.instance_id: i.instance_name for i in instances[:max_instances]}
    end = int(time.time())
    monitor = cm.CLOUDMONITORApi()
    hot = []
    ids = sorted(names)
    for first in range(0, len(ids), 50):
        request = cm.GetMetricDataRequest(
            namespace="VCM_ECS", sub_namespace="Instance", metric_name="CpuTotal",
            period="5m", start_time=end - minutes * 60, end_time=end,
            instances=[cm.InstanceForGetMetricDataInput(dimensions=[
                cm.DimensionForGetMetricDataInput(name="ResourceID", value=i)])
                for i in ids[first:first + 50]])
        for result in monitor.get_metric_data(request).data.metric_data_results or []:
            dims = {d.name: d.value for d in result.dimensions or []}
            points = [p.value for p in result.data_points or []]
            instance = dims.get("ResourceID")
            if instance in names and points and sum(points) / len(points) > threshold:
                hot.append({"instance_id": instance, "name": names[instance],
                            "cpu": round(sum(points) / len(points), 1)})
    return sorted(hot, key=lambda r: -r["cpu"])
'''
TEST = '''\
def test_only_instances_above_the_threshold():
    hot = main(threshold=80.0)
    assert hot and hot == sorted(hot, key=lambda r: -r["cpu"])
    for item in hot:
        assert item["instance_id"].startswith("i-") and item["cpu"] > 80.0
    assert len(main(threshold=99.0)) < len(hot)
'''
REPLY = (f"NAME: ecs_instances_high_cpu\nDESCRIPTION: Running Volcano Engine ECS instances "
         f"with average CPU above a threshold.\n```python code\n{CODE}```\n"
         f"```python test\n{TEST}```\n")


@pytest.fixture
def mock_cloud(tmp_path: Path) -> Any:
    """Prism serving ``mcp-sre specs export`` of the operations used, with the chosen fleet as
    examples (static mode), behind the signature-checking gateway."""
    prism_mock.prism_or_skip()
    with volcengine_mock(tmp_path, {"MCP_SRE_HOME": str(tmp_path / "export-home")}) as mock:
        yield mock


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _json(result: Any) -> Any:
    assert not result.isError, result.content
    return json.loads(result.content[0].text)


async def test_simple_request_on_volcengine_through_serve(tmp_path: Path, module_dir: Path,
                                                          mock_cloud: Any) -> None:
    stand_in = ScriptedStandInLLM([REPLY])
    gw, host_env = mock_cloud
    env = {**os.environ, **host_env, "MCP_SRE_HOME": str(tmp_path / "home"),
           "MCP_SRE_REGISTRY_DIR": str(tmp_path / "registry"),
           "MCP_SRE_PLUGINS": "volcenginesdk,volcengine",
           "MCP_SRE_WASM_CACHE": str(module_dir),  # the session's compiled interpreter
           }
    for var in ("MCP_SRE_LLM_BASE_URL", "MCP_SRE_LLM_MODEL", "MCP_SRE_LLM_API_KEY"):
        env.pop(var, None)
    params = StdioServerParameters(command=sys.executable,
                                   args=["-m", "mcp_sre", "serve"], env=env)
    async with stdio_client(params) as (read, write), \
            ClientSession(read, write, sampling_callback=stand_in) as client:
        await client.initialize()
        found = _json(await client.call_tool("search_apis", {"query": REQUEST}))
        assert found  # the search answers in Chinese over the volcengine index
        result = _json(await client.call_tool(
            "generate_tool", {"request": REQUEST, "providers": ["volcengine"]}))
        assert result["mode"] == "generated" and result["ok"], result.get("failure")
        # retrieval put both operations the request needs in front of the model
        prompt = stand_in.asked[0].messages[-1].content.text
        assert "volcengine/ecs/DescribeInstances" in prompt
        assert "volcengine/cloudmonitor/GetMetricData" in prompt
        assert set(result["called"]) == {"volcengine/ecs/DescribeInstances",
                                         "volcengine/cloudmonitor/GetMetricData"}
        assert result["registration"]["registered"], result["registration"]
        hot = _json(await client.call_tool("ecs_instances_high_cpu", {"threshold": 80.0}))
        assert [(h["instance_id"], h["cpu"]) for h in hot] == [("i-hot1", 91.0),
                                                              ("i-hot2", 85.5)]
        await _starter_tools(client)
        sent = len(gw.requests)
        assert all(r["signature"] == "ok" for r in gw.requests)
        # every request the executor sent was valid for the exported spec
        assert gw.prism_calls and all(c["status"] == 200 for c in gw.prism_calls)
        for code, why in [
                ("volcenginesdkecs.ECSApi().stop_instances({'InstanceIds': ['i-hot1']})",
                 "is a write operation"),
                ("volcenginesdkecs.ECSApi().describe_user_data({'InstanceId': 'i-hot1'})",
                 "returns secret material")]:
            run = _json(await client.call_tool("run_code", {
                "code": f"import volcenginesdkecs\n{code}\n", "providers": ["volcengine"]}))
            assert not run["ok"] and run["error"]["type"] == "policy_denied", run
            assert run["calls"][0]["decision"] == "denied"
            assert why in run["error"]["message"]
        assert len(gw.requests) == sent  # refused calls never left the host


async def _starter_tools(client: ClientSession) -> None:
    """The Volcano Engine starter tools (tool_registry_src/) register through register_tool
    (their tests pass against the mock fleet) and answer from it."""
    sys.path.insert(0, str(Path(__file__).parents[2] / "tool_registry_src"))
    from seed import load_sources

    for tool in [t for t in load_sources() if t.name in TOOLS]:
        out = _json(await client.call_tool("register_tool", tool.arguments()))
        assert out["version"] == 1, out
    hot = _json(await client.call_tool("volcengine_ecs_instances_high_cpu", {}))
    assert [(r["instance_id"], r["cpu_average"]) for r in hot["instances"]] == [
        ("i-hot1", 91.0), ("i-hot2", 85.5)]
    assert hot["instances_checked"] == len(FLEET) + len(STOPPED)  # the mock ignores filters
    states = _json(await client.call_tool("volcengine_ecs_instances_by_status", {}))
    assert states["by_status"] == {"RUNNING": 4, "STOPPED": 1}
    assert [r["instance_id"] for r in states["instances"]] == STOPPED
    errors = _json(await client.call_tool("volcengine_recent_error_events", {"hours": 24}))
    assert [e["id"] for e in errors["events"]] == ["e1", "e3"]
    assert errors["by_type"]["Ecs:InstanceStarted"] == 1
