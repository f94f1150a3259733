"""Ordinary boto3-style code in the sandbox against moto in server mode, through the bridge."""

from __future__ import annotations

import json

import boto3
import pytest

from mcp_sre.sandbox import Sandbox

pytestmark = pytest.mark.usefixtures("seeded")


def test_boto3_code_lists_seeded_instances(sandbox: Sandbox, seeded: dict) -> None:
    code = """
import boto3
ec2 = boto3.client("ec2", region_name="us-east-1")
ids = []
for reservation in ec2.describe_instances(
        Filters=[{"Name": "tag:team", "Values": ["shop"]}])["Reservations"]:
    for instance in reservation["Instances"]:
        ids.append(instance["InstanceId"])
        assert isinstance(instance["LaunchTime"], str)  # datetimes arrive as ISO strings
print(len(ids), "instances")
sre.result(sorted(ids))
"""
    result = sandbox.run(code, providers=["aws"])
    assert result.ok, result.error
    assert result.result == seeded["instance_ids"]
    assert result.stdout == "3 instances\n"
    assert [c.operation for c in result.calls] == ["aws/ec2/DescribeInstances"]
    assert result.calls[0].decision == "allowed" and result.calls[0].result_bytes > 0


def test_paginators_volumes_and_metrics(sandbox: Sandbox, seeded: dict) -> None:
    code = """
import boto3
session = boto3.session.Session(region_name="us-east-1")
ec2 = session.client("ec2")
volumes = []
for page in ec2.get_paginator("describe_volumes").paginate(PaginationConfig={"PageSize": 5}):
    volumes += [v["VolumeId"] for v in page["Volumes"]]
cw = boto3.client("cloudwatch")
metrics = cw.get_paginator("list_metrics").paginate(Namespace="AWS/EC2").build_full_result()
dims = sorted(d["Value"] for m in metrics["Metrics"] for d in m["Dimensions"])
stats = cw.get_metric_statistics(Namespace="AWS/EC2", MetricName="CPUUtilization",
    Dimensions=[{"Name": "InstanceId", "Value": FIRST}], Statistics=["Average"],
    StartTime="2000-01-01T00:00:00Z", EndTime="2100-01-01T00:00:00Z", Period=3600)
sre.result({"volumes": volumes, "dims": dims,
            "avg": [p["Average"] for p in stats["Datapoints"]]})
"""
    first = seeded["instance_ids"][0]
    result = sandbox.run(f"FIRST = {first!r}\n" + code, providers=["aws"])
    assert result.ok, (result.error, result.stderr)
    assert set(seeded["volume_ids"]) <= set(result.result["volumes"])
    # the session shares one emulator: other tests may add metrics of their own instances
    assert set(seeded["instance_ids"]) <= set(result.result["dims"])
    assert result.result["avg"] == [42.0]


def test_generic_sre_call_and_log_events(sandbox: Sandbox) -> None:
    code = """
events = sre.call("aws/logs/FilterLogEvents", logGroupName="/shop/checkout",
                  filterPattern="ERROR")["events"]
groups = [g["logGroupName"] for page in sre.paginate("aws/logs/DescribeLogGroups")
          for g in page["logGroups"]]
sre.result({"messages": [e["message"] for e in events], "groups": groups})
"""
    result = sandbox.run(code)
    assert result.ok, (result.error, result.stderr)
    assert len(result.result["messages"]) == 5
    assert all("payment timeout" in m for m in result.result["messages"])
    assert "/shop/checkout" in result.result["groups"]


@pytest.mark.parametrize(("code", "operation"), [
    ("boto3.client('ec2').terminate_instances(InstanceIds=IDS)", "aws/ec2/TerminateInstances"),
    ("boto3.client('s3').delete_bucket(Bucket='shop-artifacts')", "aws/s3/DeleteBucket"),
    ("boto3.client('cloudwatch').put_metric_data(Namespace='AWS/EC2', MetricData=["
     "{'MetricName': 'CPUUtilization', 'Value': 99.0}])", "aws/cloudwatch/PutMetricData"),
])
def test_writes_are_refused_and_resources_survive(sandbox: Sandbox, seeded: dict, code: str,
                                                  operation: str) -> None:
    program = f"import boto3\nIDS = {json.dumps(seeded['instance_ids'])}\n{code}\n"
    result = sandbox.run(program, providers=["aws"])
    assert not result.ok
    assert result.error is not None and result.error.type == "policy_denied"
    assert "write operation" in result.error.message
    assert [(c.operation, c.decision) for c in result.calls] == [(operation, "denied")]
    assert "PolicyDenied" in result.stderr  # the guest saw a typed exception
    ec2 = boto3.client("ec2", region_name="us-east-1")
    states = {i["InstanceId"]: i["State"]["Name"]
              for r in ec2.describe_instances(InstanceIds=seeded["instance_ids"])["Reservations"]
              for i in r["Instances"]}
    assert set(states.values()) == {"running"}
    boto3.client("s3", region_name="us-east-1").head_bucket(Bucket="shop-artifacts")
    metrics = boto3.client("cloudwatch", region_name="us-east-1").get_metric_statistics(
        Namespace="AWS/EC2", MetricName="CPUUtilization", Statistics=["Maximum"],
        Dimensions=[{"Name": "InstanceId", "Value": seeded["instance_ids"][0]}],
        StartTime="2000-01-01T00:00:00Z", EndTime="2100-01-01T00:00:00Z", Period=3600)
    assert [p["Maximum"] for p in metrics["Datapoints"]] == [42.0]


def test_denial_cannot_be_swallowed(sandbox: Sandbox) -> None:
    code = """
import boto3
from botocore.exceptions import ClientError
try:
    boto3.client("ec2").stop_instances(InstanceIds=["i-123"])
except ClientError:
    print("swallowed")
except Exception as exc:
    print("caught", type(exc).__name__)
"""
    result = sandbox.run(code)
    assert result.stdout == "caught PolicyDenied\n"  # not a ClientError subclass
    assert result.error is not None and result.error.type == "policy_denied"


def test_sensitive_reads_are_refused(sandbox: Sandbox) -> None:
    code = """
import boto3
boto3.client("secretsmanager").get_secret_value(SecretId="db-password")
"""
    result = sandbox.run(code)
    assert result.error is not None and result.error.type == "policy_denied"
    assert "secret material" in result.error.message
    assert result.calls[0].operation == "aws/secretsmanager/GetSecretValue"


def test_unknown_parameter_lists_valid_ones(sandbox: Sandbox) -> None:
    result = sandbox.run("sre.call('aws/ec2/DescribeVolumes', VolumeIdz=['vol-1'])")
    assert result.error is not None and result.error.type == "validation_error"
    assert "unknown parameter(s) VolumeIdz" in result.error.message
    assert "VolumeIds" in result.error.message and "MaxResults" in result.error.message
    assert result.calls[0].decision == "invalid"

    missing = sandbox.run("sre.call('aws/logs/GetLogEvents', logGroupName='/shop/checkout')")
    assert missing.error is not None and "logStreamName" in missing.error.message


def test_client_error_has_botocore_shape(sandbox: Sandbox) -> None:
    code = """
import boto3
from botocore.exceptions import ClientError
ec2 = boto3.client("ec2")
try:
    ec2.describe_instances(InstanceIds=["i-0000000000000dead"])
except ec2.exceptions.ClientError as exc:
    sre.result({"code": exc.response["Error"]["Code"], "op": exc.operation_name,
                "is_client_error": isinstance(exc, ClientError), "text": str(exc)})
"""
    result = sandbox.run(code)
    assert result.ok, (result.error, result.stderr)
    assert result.result["code"].startswith("InvalidInstanceID")
    assert result.result["op"] == "DescribeInstances"
    assert result.result["is_client_error"] is True
    assert result.result["text"].startswith("An error occurred (InvalidInstanceID")
    assert result.calls[0].error is not None and result.calls[0].error.type == "provider_error"


def test_provider_isolation_and_host_settings_refused(sandbox: Sandbox) -> None:
    other = sandbox.run("sre.call('aws/ec2/DescribeVolumes')", providers=["kubernetes"])
    assert other.error is not None and other.error.type == "policy_denied"
    assert "not enabled" in other.error.message

    creds = sandbox.run("import boto3\nboto3.client('ec2', endpoint_url='http://evil:1')")
    assert creds.error is not None and creds.error.type == "runtime_error"
    assert "endpoint_url cannot be set" in creds.error.message


def test_audit_log_records_every_call(sandbox: Sandbox, sandbox_home) -> None:
    result = sandbox.run("""
sre.call('aws/ec2/DescribeVolumes', MaxResults=5)
try:
    sre.call('aws/ec2/DeleteVolume', VolumeId='vol-1')
except sre.PolicyDenied:
    pass
""")
    assert [c.decision for c in result.calls] == ["allowed", "denied"]
    assert sandbox.audit is not None
    entries = sandbox.audit.read(limit=2)
    assert [(e["operation"], e["decision"]) for e in entries] == [
        ("aws/ec2/DescribeVolumes", "allowed"), ("aws/ec2/DeleteVolume", "denied")]
    assert entries[0]["params"] == {"MaxResults": 5}
    assert entries[0]["duration_ms"] > 0 and entries[0]["result_bytes"] > 0
    assert entries[0]["run_id"] == entries[1]["run_id"]
    assert (sandbox_home / "audit.log").is_file()
