"""Red team (issue 20, item 1): botocore's ``"sensitive": true`` members, masked on the host.

Before the fix only a deny list of names and a few AWS fields stood between a "read" and its
secrets (client secrets, pre-shared keys, MFA seeds, launch-template user data...). The class is
every member botocore marks sensitive: the scan below walks every model's output shapes (all
services with ``MCP_SRE_FULL_SCAN=1``, a fixed sample otherwise) and the moto cases call real
reads on moto in server mode through the bridge, with the policy's sensitive list exempted by
"a person", and check every sensitive member of the answer is masked.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest

if str(Path(__file__).resolve().parents[1]) not in sys.path:  # tests/ holds conftest_moto
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest_moto import REGION, BotocoreLookup

from mcp_sre.sandbox.bridge import CallHandler, OperationResolver
from mcp_sre.sandbox.masking import MASK, ResponseMasker
from mcp_sre.sandbox.policy import Policy, PolicyConfig
from mcp_sre.specs.model import APISpec, SourceInfo
from mcp_sre_aws.sensitive import has_sensitive_output, output_shape, sensitive_paths

SECRET = "Zz9-secret-in-clear"
# services whose moto cases run below, plus every 12th service of the installed botocore
_MOTO_SERVICES = ("cognito-idp", "ec2", "iam", "ssm", "ecs", "organizations", "rds")


def _scan_services() -> list[str]:
    services = botocore.session.get_session().get_available_services()
    if os.environ.get("MCP_SRE_FULL_SCAN") == "1":
        return services
    return sorted(set(services[::12]) | set(_MOTO_SERVICES))


def _sample(shape: Any, sensitive: bool, markers: dict[str, bool], stack: tuple[str, ...],
            counter: itertools.count) -> Any:
    """A value for ``shape`` whose every leaf is a unique marker; ``markers`` records which
    markers lie inside a sensitive member. Recursive shapes are entered once per path."""
    sensitive = sensitive or bool(shape.metadata.get("sensitive"))
    kind = shape.type_name
    if shape.name in stack and kind in ("structure", "list", "map"):
        return None
    stack = (*stack, shape.name)
    if kind == "structure":
        return {name: _sample(m, sensitive, markers, stack, counter)
                for name, m in shape.members.items()}
    if kind == "list":
        return [_sample(shape.member, sensitive, markers, stack, counter)]
    if kind == "map":
        key = f"k{next(counter)}"
        return {key: _sample(shape.value, sensitive, markers, stack, counter)}
    marker = f"M{next(counter)}X"
    markers[marker] = sensitive
    return marker


def _spec(service: str, operation: str) -> APISpec:
    return APISpec(id=f"aws/{service}/{operation}", name=operation, provider="aws",
                   service=service, access="read",
                   source=SourceInfo(url="botocore:", format="botocore"))


@pytest.fixture(scope="module")
def masker():
    from mcp_sre.plugin_manager import make_plugin_manager

    return ResponseMasker(make_plugin_manager(only={"botocore", "aws"}))


def test_every_sensitive_member_of_the_scanned_models_is_masked(masker) -> None:
    session = botocore.session.get_session()
    checked, leaks = 0, []
    for service in _scan_services():
        for operation in session.get_service_model(service).operation_names:
            if not has_sensitive_output(service, operation):
                continue
            markers: dict[str, bool] = {}
            answer = _sample(output_shape(service, operation), False, markers, (),
                             itertools.count())
            text = json.dumps(masker(_spec(service, operation), answer))
            leaked = [m for m, secret in markers.items() if secret and m in text]
            if leaked:
                leaks.append(f"{service}.{operation}: {len(leaked)} sensitive leaves")
            checked += 1
    assert checked >= 50, checked  # the sample does reach the class
    assert not leaks, leaks[:20]


# ------------------------------------------------------------------ moto in server mode
def _setup_cognito(c: Any) -> tuple[str, str, dict[str, Any]]:
    idp = c("cognito-idp")
    pool = idp.create_user_pool(PoolName="rt-pool")["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName="rt", GenerateSecret=True)
    return "cognito-idp", "DescribeUserPoolClient", {
        "UserPoolId": pool, "ClientId": client["UserPoolClient"]["ClientId"]}


def _setup_vpn(c: Any) -> tuple[str, str, dict[str, Any]]:
    ec2 = c("ec2")
    cgw = ec2.create_customer_gateway(Type="ipsec.1", PublicIp="203.0.113.12", BgpAsn=65000)
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")
    ec2.create_vpn_connection(
        Type="ipsec.1", CustomerGatewayId=cgw["CustomerGateway"]["CustomerGatewayId"],
        VpnGatewayId=vgw["VpnGateway"]["VpnGatewayId"],
        Options={"TunnelOptions": [{"PreSharedKey": "psk_" + SECRET.replace("-", "_")}]})
    return "ec2", "DescribeVpnConnections", {}


def _setup_mfa(c: Any) -> tuple[str, str, dict[str, Any]]:
    c("iam").create_virtual_mfa_device(VirtualMFADeviceName="rt-mfa")
    return "iam", "ListVirtualMFADevices", {}


def _setup_launch_template(c: Any) -> tuple[str, str, dict[str, Any]]:
    import base64

    c("ec2").create_launch_template(LaunchTemplateName="rt-lt", LaunchTemplateData={
        "ImageId": "ami-12c6146b",
        "UserData": base64.b64encode(f"DB_PASSWORD={SECRET}".encode()).decode()})
    return "ec2", "DescribeLaunchTemplateVersions", {"LaunchTemplateName": "rt-lt"}


def _setup_parameter(c: Any) -> tuple[str, str, dict[str, Any]]:
    c("ssm").put_parameter(Name="/rt/db", Value=SECRET, Type="SecureString")
    return "ssm", "GetParameter", {"Name": "/rt/db", "WithDecryption": True}


def _setup_task(c: Any) -> tuple[str, str, dict[str, Any]]:
    c("ecs").register_task_definition(family="rt-shape", containerDefinitions=[{
        "name": "app", "image": "nginx", "memory": 128,
        "environment": [{"name": "API", "value": SECRET}]}])
    return "ecs", "DescribeTaskDefinition", {"taskDefinition": "rt-shape"}


def _setup_option_group(c: Any) -> tuple[str, str, dict[str, Any]]:
    rds = c("rds")
    rds.create_option_group(OptionGroupName="rt-og", EngineName="mysql",
                            MajorEngineVersion="8.0", OptionGroupDescription="rt")
    rds.modify_option_group(OptionGroupName="rt-og", OptionsToInclude=[{
        "OptionName": "MEMCACHED", "OptionSettings": [{"Name": "X", "Value": SECRET}]}])
    return "rds", "DescribeOptionGroups", {"OptionGroupName": "rt-og"}


MOTO_CASES = {f.__name__[7:]: f for f in (_setup_cognito, _setup_vpn, _setup_mfa,
                                          _setup_launch_template, _setup_parameter, _setup_task,
                                          _setup_option_group)}


def _values(data: Any, path: str) -> list[Any]:
    """Values at a dotted ``sensitive_paths`` path (``[]`` list items, ``{}`` map values)."""
    found = [data]
    for part in path.replace("[]", ".[]").replace("{}", ".{}").split("."):
        if not part:
            continue
        nxt: list[Any] = []
        for value in found:
            if part == "[]" and isinstance(value, list):
                nxt += value
            elif part == "{}" and isinstance(value, dict):
                nxt += list(value.values())
            elif isinstance(value, dict) and part in value:
                nxt.append(value[part])
        found = nxt
    return found


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _leaves(v)]
    if isinstance(value, list):
        return [x for v in value for x in _leaves(v)]
    return [value]


@pytest.mark.parametrize("case", sorted(MOTO_CASES))
def test_sensitive_members_masked_in_moto_answers(aws_env, plugin_manager, case: str) -> None:
    service, operation, params = MOTO_CASES[case](
        lambda name: boto3.client(name, region_name=REGION))
    lookup = BotocoreLookup(plugin_manager, services=(service,))
    # a person exempted everything from the sensitive deny list and allowed writes: the
    # response masks still hold
    handler = CallHandler(
        resolve=OperationResolver(lookup), execute=lambda spec, p, ctx:
        plugin_manager.hook.execute_operation(spec=spec, params=p, context=ctx),
        policy=Policy(PolicyConfig(allow_sensitive=["*"])), audit=None, run_id="rt",
        deadline=time.monotonic() + 60, allow_writes=True, mask=ResponseMasker(plugin_manager))
    import marshal

    reply = handler.call({"id": 1, "op": f"aws/{service}/{operation}", "params": params})
    assert isinstance(reply, bytes), reply
    data = marshal.loads(reply)["data"]
    seen = 0
    for path in sensitive_paths(output_shape(service, operation)):
        for value in _values(data, path):
            leaves = [v for v in _leaves(value) if v not in (None, "")]
            seen += len(leaves)
            assert all(v == MASK for v in leaves), (path, value)
    assert seen, f"moto returned no sensitive member for {service}.{operation}: {data}"
    assert SECRET not in json.dumps(data)
    assert SECRET.replace("-", "_") not in json.dumps(data)
