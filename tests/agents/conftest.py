"""Agent fixtures: moto in server mode with an EC2 fleet and its CloudWatch CPU data, the real
botocore specs of EC2 and CloudWatch in a spec catalog, a keyword-only retriever over them,
and the sandbox (compiled interpreter shared with the sandbox tests through pytest's cache)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

for _dir in (Path(__file__).resolve().parents[1], Path(__file__).resolve().parent):
    if str(_dir) not in sys.path:  # tests/ holds conftest_moto, tests/agents stand_in
        sys.path.insert(0, str(_dir))
from conftest_moto import REGION  # noqa: E402
from stand_in import AWS_SOURCE, FLEET_CPU  # noqa: E402

from mcp_sre.config import Settings, load_settings  # noqa: E402
from mcp_sre.plugin_manager import make_plugin_manager  # noqa: E402
from mcp_sre.specs.catalog import SpecCatalog  # noqa: E402

__all__: list[str] = []


@pytest.fixture(scope="session")
def agents_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    home = tmp_path_factory.mktemp("agents-home")
    return load_settings(home=home, sources=[AWS_SOURCE])


@pytest.fixture(scope="session")
def agents_catalog(agents_settings: Settings) -> SpecCatalog:
    catalog = SpecCatalog(agents_settings, make_plugin_manager(only={"botocore", "aws"}))
    catalog.operations("aws")
    return catalog


@pytest.fixture(scope="session")
def agents_sandbox(agents_settings: Settings, agents_catalog: SpecCatalog,
                   module_dir: Path) -> Any:
    from mcp_sre.sandbox import CatalogOperations, Sandbox

    box = Sandbox(agents_settings, agents_catalog.pm, CatalogOperations(agents_catalog),
                  module_dir=module_dir)
    box.warm()
    return box


@pytest.fixture(scope="session")
def agents_retriever(agents_settings: Settings, agents_catalog: SpecCatalog) -> Any:
    from mcp_sre.retrieval import Retriever

    retriever = Retriever(agents_settings, agents_catalog, embedder=None, sources=["aws"])
    retriever.ensure_index()
    return retriever


@pytest.fixture(scope="session")
def cpu_fleet(aws_env: str) -> dict[str, str]:
    """Four running instances with one CPU datapoint each: two above 80 %, one far below,
    one exactly at 80 % (not above). Returns name -> instance id."""
    import boto3

    ec2 = boto3.client("ec2", region_name=REGION)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    fleet: dict[str, str] = {}
    for name, cpu in FLEET_CPU.items():
        instance = ec2.run_instances(
            ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro",
            TagSpecifications=[{"ResourceType": "instance", "Tags": [
                {"Key": "Name", "Value": name}, {"Key": "suite", "Value": "codegen"}]}],
        )["Instances"][0]
        fleet[name] = instance["InstanceId"]
        cloudwatch.put_metric_data(Namespace="AWS/EC2", MetricData=[{
            "MetricName": "CPUUtilization", "Value": cpu, "Unit": "Percent",
            "Dimensions": [{"Name": "InstanceId", "Value": instance["InstanceId"]}]}])
    return fleet
