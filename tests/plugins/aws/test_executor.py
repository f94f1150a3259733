"""The AWS executor against moto in server mode: real boto3, the host's AWS settings."""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

import boto3
import botocore
import pytest

if str(Path(__file__).resolve().parents[2]) not in sys.path:  # tests/ holds conftest_moto
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from conftest_moto import REGION

from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.sandbox.models import ProviderCallError
from mcp_sre.specs.model import APISpec, SpecSource
from mcp_sre.specs.parse import parse_content
from mcp_sre_aws.executor import MASK, execute_operation, mask_secrets
from mcp_sre_aws.shims import load_shims

__all__: list[str] = []

pytestmark = pytest.mark.usefixtures("aws_env")


@pytest.fixture(scope="module")
def specs() -> dict[str, APISpec]:
    pm = make_plugin_manager(only={"botocore", "aws"})
    data = Path(botocore.__file__).parent / "data"
    found: dict[str, APISpec] = {}
    for service in ("ec2", "s3", "lambda"):
        model = sorted(p for p in (data / service).iterdir() if p.is_dir())[-1] / \
            "service-2.json.gz"
        source = SpecSource(name=f"aws-{service}", provider="aws", url=str(model),
                            format="botocore")
        found.update({s.id: s for s in parse_content(pm, model.read_bytes(), source)})
    return found


@pytest.fixture(scope="module")
def instance_id() -> str:
    ec2 = boto3.client("ec2", region_name=REGION)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    return ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1,
                             UserData="#!/bin/sh\nexport TOKEN=abc")["Instances"][0]["InstanceId"]


def _run(specs: dict[str, APISpec], op: str, params: dict | None = None, **context: str):
    return execute_operation(spec=specs[op], params=params or {}, context=context)


def test_json_safe_answers_without_metadata(specs, instance_id: str) -> None:
    data = _run(specs, "aws/ec2/DescribeInstances", {"InstanceIds": [instance_id]})
    assert "ResponseMetadata" not in data
    instance = data["Reservations"][0]["Instances"][0]
    assert instance["InstanceId"] == instance_id
    assert isinstance(instance["LaunchTime"], str) and "T" in instance["LaunchTime"]
    assert json.loads(json.dumps(data)) == data


def test_region_comes_from_the_context(specs, instance_id: str) -> None:
    elsewhere = _run(specs, "aws/ec2/DescribeInstances", region="eu-west-1")
    ids = [i["InstanceId"] for r in elsewhere["Reservations"] for i in r["Instances"]]
    assert instance_id not in ids


def test_other_providers_are_not_ours(specs) -> None:
    spec = specs["aws/ec2/DescribeInstances"].model_copy(update={"provider": "gcp"})
    assert execute_operation(spec=spec, params={}, context={}) is None


def test_client_errors_keep_code_and_status(specs) -> None:
    with pytest.raises(ProviderCallError) as info:
        _run(specs, "aws/ec2/DescribeInstances", {"InstanceIds": ["i-0000000000000dead"]})
    assert info.value.code.startswith("InvalidInstanceID")
    assert info.value.status == 400 and info.value.kind == "provider_error"
    with pytest.raises(ProviderCallError) as bad:
        _run(specs, "aws/ec2/DescribeInstances", {"MaxResults": "five"})
    assert bad.value.kind == "validation_error" and "MaxResults" in str(bad.value)


def test_streaming_bodies_are_read(specs) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="executor-test")
    s3.put_object(Bucket="executor-test", Key="a.txt", Body=b"hello world")
    s3.put_object(Bucket="executor-test", Key="b.bin", Body=b"\xff\x00\xfe")
    text = _run(specs, "aws/s3/GetObject", {"Bucket": "executor-test", "Key": "a.txt"})
    assert text["Body"] == "hello world" and text["ContentLength"] == 11
    binary = _run(specs, "aws/s3/GetObject", {"Bucket": "executor-test", "Key": "b.bin"})
    assert binary["Body"] == "/wD+"  # base64


def test_secret_fields_are_masked(specs, instance_id: str) -> None:
    iam = boto3.client("iam", region_name=REGION)
    role = iam.create_role(RoleName="executor-test", AssumeRolePolicyDocument="{}")["Role"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("handler.py", "def handler(event, context):\n    return 1\n")
    boto3.client("lambda", region_name=REGION).create_function(
        FunctionName="checkout", Runtime="python3.11", Role=role["Arn"],
        Handler="handler.handler", Code={"ZipFile": archive.getvalue()},
        Environment={"Variables": {"DB_PASSWORD": "s3cret"}})
    function = _run(specs, "aws/lambda/GetFunction", {"FunctionName": "checkout"})
    assert function["Configuration"]["Environment"]["Variables"] == {"DB_PASSWORD": MASK}
    assert function["Code"]["Location"] == MASK
    listed = _run(specs, "aws/lambda/ListFunctions")
    assert "s3cret" not in json.dumps(listed)
    user_data = _run(specs, "aws/ec2/DescribeInstanceAttribute",
                     {"InstanceId": instance_id, "Attribute": "userData"})
    assert user_data["UserData"] == {"Value": MASK}
    assert mask_secrets("s3", {"Name": "kept"}) == {"Name": "kept"}
    assert mask_secrets("autoscaling", {"UserData": "x"}) == {"UserData": MASK}  # every service


def test_shims_and_sensitive_operations_are_contributed() -> None:
    pm = make_plugin_manager(only={"aws"})
    shims = {k: v for group in pm.hook.sandbox_shims() for k, v in group.items()}
    assert {"boto3", "boto3.session", "botocore.exceptions", "botocore.client"} <= set(shims)
    assert shims == load_shims()
    assert "class ClientError" in shims["botocore.exceptions"]
    sensitive = {p for group in pm.hook.sensitive_operations() for p in group}
    assert {"aws/kms/Decrypt", "aws/secretsmanager/GetSecretValue",
            "aws/ssm/GetParametersByPath", "aws/sts/GetSessionToken"} <= sensitive
