"""The AWS plugin names boto3 client calls by the botocore operation names (the
``sdk_call_operation`` hook), so the registry's write check judges them by their spec."""

from __future__ import annotations

import botocore.session
import pytest

from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.toolcode.calls import SdkCall


@pytest.fixture(scope="module")
def pm():
    return make_plugin_manager(only={"aws"})


def ask(pm, factory: str, method: str, factory_args=("ec2",), method_args=()) -> str | None:
    return pm.hook.sdk_call_operation(call=SdkCall(
        factory=factory, factory_args=factory_args, method=method, method_args=method_args))


@pytest.mark.parametrize(("service", "method"), [
    ("ec2", "describe_instances"), ("ec2", "terminate_instances"),
    ("cloudwatch", "get_metric_data"), ("logs", "filter_log_events"),
    ("secretsmanager", "get_secret_value"),
])
def test_client_methods_name_botocore_operations(pm, service: str, method: str) -> None:
    op = ask(pm, "boto3.client", method, factory_args=(service,))
    assert op is not None
    provider, svc, name = op.split("/")
    assert (provider, svc) == ("aws", service)
    model = botocore.session.get_session().get_service_model(service)
    assert name in model.operation_names
    assert model.operation_model(name).name == name


def test_clients_from_sessions_and_paginators(pm) -> None:
    assert ask(pm, "boto3.Session().client", "describe_volumes") == "aws/ec2/DescribeVolumes"
    assert ask(pm, "session.client", "describe_volumes") == "aws/ec2/DescribeVolumes"
    assert ask(pm, "boto3.client", "get_paginator", method_args=("describe_volumes",)) == \
        "aws/ec2/DescribeVolumes"


def test_not_a_boto3_client_or_not_an_operation(pm) -> None:
    assert ask(pm, "client.CoreV1Api", "list_namespaced_pod", factory_args=()) is None
    assert ask(pm, "httpx.client", "get") is None
    assert ask(pm, "boto3.client", "get_waiter", method_args=("instance_running",)) is None
    assert ask(pm, "boto3.client", "describe_instances", factory_args=(None,)) is None
