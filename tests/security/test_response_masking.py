"""Red team (issue 20, item 1): reads that returned secrets, against moto in server mode.

Before the fix autoscaling DescribeLaunchConfigurations returned user data in clear (EC2's was
masked) and ecs DescribeTaskDefinition returned container environment values. The class: a
name-based layer masks password/secret/token/private-key/user-data/... fields of every service.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import boto3
import botocore
import pytest

if str(Path(__file__).resolve().parents[1]) not in sys.path:  # tests/ holds conftest_moto
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest_moto import REGION

from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.specs.model import APISpec, SpecSource
from mcp_sre.specs.parse import parse_content
from mcp_sre_aws.executor import MASK, execute_operation, mask_secrets

pytestmark = pytest.mark.usefixtures("aws_env")
SECRET = "Pa55w0rd-in-clear"


@pytest.fixture(scope="module")
def specs() -> dict[str, APISpec]:
    pm = make_plugin_manager(only={"botocore", "aws"})
    data = Path(botocore.__file__).parent / "data"
    found: dict[str, APISpec] = {}
    for service in ("autoscaling", "ecs"):
        model = sorted(p for p in (data / service).iterdir() if p.is_dir())[-1] / \
            "service-2.json.gz"
        source = SpecSource(name=f"aws-{service}", provider="aws", url=str(model),
                            format="botocore")
        found.update({s.id: s for s in parse_content(pm, model.read_bytes(), source)})
    return found


def _run(specs: dict[str, APISpec], op: str, params: dict | None = None):
    return execute_operation(spec=specs[op], params=params or {}, context={})


def test_launch_configuration_user_data_is_masked(specs) -> None:
    boto3.client("autoscaling", region_name=REGION).create_launch_configuration(
        LaunchConfigurationName="rt-lc", ImageId="ami-12c6146b", InstanceType="t3.micro",
        UserData=f"#!/bin/sh\nexport DB_PASSWORD={SECRET}")
    answer = _run(specs, "aws/autoscaling/DescribeLaunchConfigurations")
    assert SECRET not in json.dumps(answer)
    assert answer["LaunchConfigurations"][0]["UserData"] == MASK


def test_container_environment_values_are_masked(specs) -> None:
    boto3.client("ecs", region_name=REGION).register_task_definition(
        family="rt-task", containerDefinitions=[{
            "name": "app", "image": "nginx", "memory": 128,
            "environment": [{"name": "DB_PASSWORD", "value": SECRET}]}])
    answer = _run(specs, "aws/ecs/DescribeTaskDefinition", {"taskDefinition": "rt-task"})
    assert SECRET not in json.dumps(answer)
    env = answer["taskDefinition"]["containerDefinitions"][0]["environment"]
    # botocore marks the whole environment sensitive: every leaf is masked, the shape is kept
    assert env == [{"name": MASK, "value": MASK}]


@pytest.mark.parametrize("key", ["client_secret", "PreSharedKey", "CustomerGatewayConfiguration",
                                 "MasterUserPassword", "SessionToken", "PrivateKey",
                                 "ConnectionString", "SecretAccessKey", "KeyMaterial"])
def test_secret_names_are_masked_in_any_service(key: str) -> None:
    assert mask_secrets("any", {"Outer": [{key: SECRET}]}) == {"Outer": [{key: MASK}]}


@pytest.mark.parametrize("key", ["NextToken", "ClientToken", "PasswordLastUsed", "SecretArn",
                                 "Name"])
def test_pagination_and_metadata_are_kept(key: str) -> None:
    assert mask_secrets("any", {key: "kept"}) == {key: "kept"}


def _spec_of(service: str, operation: str) -> APISpec:
    pm = make_plugin_manager(only={"botocore", "aws"})
    data = Path(botocore.__file__).parent / "data"
    model = sorted(p for p in (data / service).iterdir() if p.is_dir())[-1] / "service-2.json.gz"
    source = SpecSource(name=f"aws-{service}", provider="aws", url=str(model), format="botocore")
    return next(s for s in parse_content(pm, model.read_bytes(), source) if s.name == operation)


def test_identity_provider_client_secret_is_masked() -> None:
    """cognito-idp DescribeIdentityProvider: ProviderDetails is a plain map in botocore (not
    marked sensitive); the name layer catches client_secret."""
    idp = boto3.client("cognito-idp", region_name=REGION)
    pool = idp.create_user_pool(PoolName="rt-idp")["UserPool"]["Id"]
    idp.create_identity_provider(UserPoolId=pool, ProviderName="corp", ProviderType="OIDC",
                                 ProviderDetails={"client_id": "cid", "client_secret": SECRET,
                                                  "authorize_scopes": "openid",
                                                  "oidc_issuer": "https://idp.example"})
    spec = _spec_of("cognito-idp", "DescribeIdentityProvider")
    answer = execute_operation(spec=spec, params={"UserPoolId": pool, "ProviderName": "corp"},
                               context={})
    assert SECRET not in json.dumps(answer)
    assert answer["IdentityProvider"]["ProviderDetails"]["client_secret"] == MASK
    assert answer["IdentityProvider"]["ProviderDetails"]["client_id"] == "cid"


def test_usage_plan_key_values_are_masked() -> None:
    """apigateway GetUsagePlanKeys returned API key values while GetApiKey is refused."""
    api = boto3.client("apigateway", region_name=REGION)
    key = api.create_api_key(name="rt-key", value="k" * 20 + SECRET.replace("-", ""),
                             enabled=True)
    plan = api.create_usage_plan(name="rt-plan")
    api.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    spec = _spec_of("apigateway", "GetUsagePlanKeys")
    answer = execute_operation(spec=spec, params={"usagePlanId": plan["id"]}, context={})
    assert SECRET.replace("-", "") not in json.dumps(answer)
    assert answer["items"][0]["value"] == MASK and answer["items"][0]["name"] == "rt-key"
