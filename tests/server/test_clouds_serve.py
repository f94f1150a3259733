"""The seed's simple request, "列出CPU>80%的虚拟机", on GCP and on Azure through `mcp-sre serve`
(stdio) and the real `mcp` client, against Prism serving each cloud's exported specs: the
client's LLM is a scripted stand-in behind the real sampling protocol (it "writes" the code a
GCP or Azure user would write); the code runs read-only in the sandbox and is registered as a
tool. A write and a sensitive read are refused on each cloud."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from cloud_mocks import AZ_HOT, GCP_HOT, PROJECT, SUB, azure_mock_document, gcp_mock_document
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from prism_mock import prism_or_skip, start_prism

from mcp_sre.config import load_settings
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.specs.sources import SourceRegistry

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "agents"))
from stand_in import ScriptedStandInLLM

pytestmark = pytest.mark.anyio
REQUEST = "列出CPU>80%的虚拟机"

GCP_CODE = '''\
from googleapiclient import discovery


def main(project: str = "__PROJECT__", threshold: float = 80.0) -> list:
    """Running Compute Engine VMs whose CPU utilization is above threshold %."""
    compute = discovery.build("compute", "v1")
    running = set()
    request = compute.instances().aggregatedList(project=project, maxResults=200)
    for _page in range(50):
        response = request.execute()
        for scope in response.get("items", {}).values():
            running |= {i["name"] for i in scope.get("instances", []) if i["status"] == "RUNNING"}
        request = compute.instances().aggregatedList_next(request, response)
        if request is None:
            break
    series = discovery.build("monitoring", "v3").projects().timeSeries().list(
        name="projects/" + project, view="FULL",
        filter='metric.type = "compute.googleapis.com/instance/cpu/utilization"',
        **{"interval.startTime": "2026-12-03T09:00:00Z",
           "interval.endTime": "2026-12-03T10:00:00Z"}).execute()
    hot = []
    for ts in series.get("timeSeries", []):
        name = ts["metric"]["labels"]["instance_name"]
        values = [p["value"]["doubleValue"] * 100 for p in ts["points"]]
        if name in running and values and sum(values) / len(values) > threshold:
            hot.append({"name": name, "cpu": round(sum(values) / len(values), 1)})
    return sorted(hot, key=lambda item: -item["cpu"])
'''.replace("__PROJECT__", PROJECT)

AZURE_CODE = '''\
from azure.identity import DefaultAzureCredential
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.monitor import MonitorManagementClient


def main(subscription_id: str = "__SUB__", threshold: float = 80.0) -> list:
    """Azure VMs whose average Percentage CPU over the last hour is above threshold %."""
    credential = DefaultAzureCredential()
    compute = ComputeManagementClient(credential, subscription_id)
    monitor = MonitorManagementClient(credential, subscription_id)
    hot = []
    for vm in compute.virtual_machines.list_all():
        metrics = monitor.metrics.list(vm.id, timespan="PT1H", interval="PT5M",
                                       metricnames="Percentage CPU", aggregation="Average")
        points = [d.average for m in metrics.value for ts in m.timeseries for d in ts.data
                  if d.average is not None]
        if points and sum(points) / len(points) > threshold:
            hot.append({"name": vm.name, "cpu": round(sum(points) / len(points), 1)})
    return sorted(hot, key=lambda item: -item["cpu"])
'''.replace("__SUB__", SUB)

TEST = '''\
def test_only_vms_above_the_threshold():
    hot = main(threshold=80.0)
    assert hot and all(item["cpu"] > 80.0 for item in hot)
    assert [item["cpu"] for item in hot] == sorted((item["cpu"] for item in hot), reverse=True)
'''

CLOUDS: dict[str, dict[str, Any]] = {
    "gcp": {"sources": {"gcp-compute", "gcp-monitoring", "gcp-secretmanager"},
            "code": GCP_CODE, "hot": GCP_HOT, "mock": gcp_mock_document,
            "env": lambda url: {"MCP_SRE_GCP_ENDPOINT": url,
                                "GOOGLE_OAUTH_ACCESS_TOKEN": "mock-token"},
            "called": {"gcp/compute/compute.instances.aggregatedList",
                       "gcp/monitoring/monitoring.projects.timeSeries.list"},
            "write": 'from googleapiclient import discovery\ndiscovery.build("compute", "v1")'
                     '.instances().stop(project="p", zone="z", instance="web-1").execute()\n',
            "secret": 'from googleapiclient import discovery\ndiscovery.build("secretmanager", '
                      '"v1").projects().secrets().versions().access(name="projects/p/secrets/'
                      'db/versions/latest").execute()\n'},
    "azure": {"sources": {"azure-compute", "azure-monitor", "azure-storage"},
              "code": AZURE_CODE, "hot": AZ_HOT, "mock": azure_mock_document,
              "env": lambda url: {"MCP_SRE_AZURE_ENDPOINT": url, "AZURE_ACCESS_TOKEN": "mock"},
              "called": {"azure/compute/VirtualMachines_ListAll", "azure/monitor/Metrics_List"},
              "write": "from azure.identity import DefaultAzureCredential\n"
                       "from azure.mgmt.compute import ComputeManagementClient\n"
                       f"ComputeManagementClient(DefaultAzureCredential(), '{SUB}')"
                       ".virtual_machines.begin_deallocate('shop-rg', 'web-1').result()\n",
              "secret": "from azure.identity import DefaultAzureCredential\n"
                        "from azure.mgmt.storage import StorageManagementClient\n"
                        f"StorageManagementClient(DefaultAzureCredential(), '{SUB}')"
                        ".storage_accounts.list_keys('shop-rg', 'shopdata')\n"},
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def reply(cloud: str, code: str) -> str:
    return (f"NAME: {cloud}_vms_high_cpu\nDESCRIPTION: {cloud} virtual machines whose CPU "
            f"utilization is above a threshold.\n```python code\n{code}```\n"
            f"```python test\n{TEST}```\n")


def serve_params(cloud: str, home: Path, endpoint: str, module_dir: Path) -> StdioServerParameters:
    """`mcp-sre serve` with only this cloud's sources indexed (a fast start), offline."""
    keep = CLOUDS[cloud]["sources"]
    registry = SourceRegistry(make_plugin_manager(), load_settings(home=home))
    sources = [{"name": s.name, "default": s.name in keep} for s in registry.all()
               if s.default or s.name in keep]
    (home / "config.yaml").write_text(yaml.safe_dump({"sources": sources}))
    env = {**os.environ, "MCP_SRE_HOME": str(home), "MCP_SRE_OFFLINE": "1",
           "MCP_SRE_REGISTRY_DIR": str(home / "registry"), "MCP_SRE_NO_STARTER_TOOLS": "1",
           "MCP_SRE_WASM_CACHE": str(module_dir), **CLOUDS[cloud]["env"](endpoint)}
    for var in ("MCP_SRE_LLM_BASE_URL", "MCP_SRE_LLM_MODEL", "MCP_SRE_LLM_API_KEY"):
        env.pop(var, None)
    return StdioServerParameters(command=sys.executable, args=["-m", "mcp_sre", "serve"],
                                 env=env)


@pytest.mark.parametrize("cloud", ["gcp", "azure"])
async def test_simple_request_on_each_cloud(cloud: str, tmp_path: Path, module_dir: Path) -> None:
    prism_or_skip()
    spec = CLOUDS[cloud]
    home = tmp_path / "home"
    home.mkdir()
    mock = spec["mock"]({"MCP_SRE_HOME": str(home), "MCP_SRE_OFFLINE": "1"})
    llm = ScriptedStandInLLM([reply(cloud, spec["code"])])
    with start_prism(mock, tmp_path) as endpoint:
        params = serve_params(cloud, home, endpoint, module_dir)
        async with stdio_client(params) as (read, write), \
                ClientSession(read, write, sampling_callback=llm) as client:
            await client.initialize()
            answer = await client.call_tool("generate_tool", {"request": REQUEST,
                                                              "providers": [cloud]})
            assert not answer.isError, answer.content
            result = answer.structuredContent
            assert result["status"] == "success" and result["ok"], result["rounds"][0]
            assert set(result["called"]) == spec["called"]
            assert result["registration"]["registered"], result["registration"]
            # the operations the model was shown came from this cloud's specs
            assert f"{cloud}/" in json.dumps(llm.asked[0].messages[-1].content.text)

            run = await client.call_tool("run_code", {
                "code": spec["code"] + "\nimport sre\nsre.result(main())\n",
                "providers": [cloud]})
            assert not run.isError and run.structuredContent["ok"], run.structuredContent
            got = {item["name"]: item["cpu"] for item in run.structuredContent["result"]}
            assert got == spec["hot"]

            for code, words in ((spec["write"], "write operation"),
                                (spec["secret"], "secret material")):
                refused = await client.call_tool("run_code", {"code": code,
                                                              "providers": [cloud]})
                body = refused.structuredContent or {}
                assert not body.get("ok"), body
                assert body["error"]["type"] == "policy_denied" and words in json.dumps(body)
                assert [c["decision"] for c in body["calls"]] == ["denied"]
