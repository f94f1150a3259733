"""Seed data for the AWS emulator. The fixtures ``moto_endpoint`` and ``aws_env`` live in
``tests/conftest.py`` so that one moto server serves the whole session."""

from __future__ import annotations

import time
from pathlib import Path

import botocore

from mcp_sre.errors import NotFoundError
from mcp_sre.specs.model import APISpec, SpecSource
from mcp_sre.specs.parse import parse_content

__all__ = ["REGION", "SERVICES", "BotocoreLookup", "SpecLookup", "seed_aws"]

REGION = "us-east-1"


_SEEDED: dict[str, dict[str, object]] = {}


def seed_aws() -> dict[str, object]:
    """Seed EC2 instances and volumes, CloudWatch metrics, log events and a bucket, once per
    emulator (the session shares one moto server).

    Uses the host's boto3 directly (this is the test's own set-up, not sandboxed code)."""
    import os

    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    if endpoint not in _SEEDED:
        _SEEDED[endpoint] = _seed()
    return _SEEDED[endpoint]


def _seed() -> dict[str, object]:
    import boto3

    ec2 = boto3.client("ec2", region_name=REGION)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    reservation = ec2.run_instances(
        ImageId=image, MinCount=3, MaxCount=3, InstanceType="t3.micro",
        TagSpecifications=[{"ResourceType": "instance",
                            "Tags": [{"Key": "team", "Value": "shop"}]}])
    instance_ids = sorted(i["InstanceId"] for i in reservation["Instances"])
    volume_ids = [ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=size)["VolumeId"]
                  for size in (8, 16)]

    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    for instance_id in instance_ids:
        cloudwatch.put_metric_data(Namespace="AWS/EC2", MetricData=[{
            "MetricName": "CPUUtilization", "Value": 42.0, "Unit": "Percent",
            "Dimensions": [{"Name": "InstanceId", "Value": instance_id}]}])

    logs = boto3.client("logs", region_name=REGION)
    logs.create_log_group(logGroupName="/shop/checkout")
    logs.create_log_stream(logGroupName="/shop/checkout", logStreamName="web-1")
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName="/shop/checkout", logStreamName="web-1", logEvents=[
        {"timestamp": now - 1000 * i, "message": f"ERROR payment timeout {i}"}
        for i in range(5, 0, -1)])

    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="shop-artifacts")
    return {"instance_ids": instance_ids, "volume_ids": volume_ids,
            "bucket": "shop-artifacts", "log_group": "/shop/checkout"}


SERVICES = ("ec2", "cloudwatch", "logs", "s3", "secretsmanager", "kms", "ssm", "sts", "lambda",
            "rds")


class SpecLookup:
    """``operation_lookup`` over parsed specs held in a dict (the catalog does the same)."""

    def __init__(self, specs: dict[str, APISpec]) -> None:
        self.specs = specs

    def __call__(self, op_id: str) -> APISpec:
        try:
            return self.specs[op_id]
        except KeyError:
            raise NotFoundError(f"no operation {op_id!r}") from None

    def names(self, provider: str, service: str) -> list[str]:
        return [s.name for s in self.specs.values()
                if s.provider == provider and s.service == service]


class BotocoreLookup(SpecLookup):
    """``operation_lookup`` over the installed botocore models of a few services, parsed by the
    real botocore format plugin (the catalog does the same for all of AWS)."""

    def __init__(self, pm, services=SERVICES) -> None:
        data = Path(botocore.__file__).parent / "data"
        specs: dict[str, APISpec] = {}
        for service in services:
            versions = sorted(p for p in (data / service).iterdir() if p.is_dir())
            model = versions[-1] / "service-2.json.gz"
            source = SpecSource(name=f"aws-{service}", provider="aws", url=str(model),
                                format="botocore")
            for spec in parse_content(pm, model.read_bytes(), source):
                specs[spec.id] = spec
        super().__init__(specs)
