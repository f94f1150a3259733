"""Red team (issue 20, item 10): the environment's faults are not a tool's faults.

Before the fix, with no kubeconfig, repeated calls of a starter tool auto-deprecated it and the
next call by name got "Unknown tool". The class: no credentials, no cluster, a target down or
slow, throttling, missing permissions -- none counts against a tool's score; the code's own
failures still do; a deprecated tool called by name says so and how to restore it.
"""

from __future__ import annotations

import json

import pytest

from mcp_sre.registry import ToolRegistry
from mcp_sre.registry.tool_registry import ToolCallError
from mcp_sre.sandbox.faults import environment_fault
from mcp_sre.server import ServerState, build_server
from mcp_sre.server.sdk import connected_session

EC2_TOOL = ("import sre\n\ndef main() -> dict:\n"
            "    return {'n': len(sre.request('aws/ec2/DescribeInstances').get('Reservations', []))}\n")
EC2_TEST = "def test_runs():\n    assert main()['n'] >= 0\n"
FLAKY = ("def main(fail: bool = False) -> dict:\n    if fail:\n"
         "        raise RuntimeError('upstream said no')\n    return {'ok': True}\n")
PARAMS = {"type": "object", "properties": {"fail": {"type": "boolean"}}}


@pytest.mark.parametrize(("kind", "message", "code", "status"), [
    ("provider_error", "Unable to locate credentials", "NoCredentialsError", None),
    ("provider_error", "no kubeconfig found", "ClusterNotConfigured", None),
    ("provider_error", "Rate exceeded", "ThrottlingException", 400),
    ("provider_error", "slow down", "SlowDown", 503),
    ("provider_error", "Could not connect to the endpoint URL", "EndpointConnectionError", None),
    ("provider_error", "listPods: cannot reach 10.0.0.1: MaxRetryError", "ConnectionError", None),
    ("provider_error", "not authorized to perform ec2:DescribeInstances", "UnauthorizedOperation",
     403),
    ("provider_error", "no Prometheus server configured", "", None),
    ("timeout", "aws/ec2/DescribeInstances did not answer before the run's time limit", None,
     None),
])
def test_environment_faults_are_recognised(kind, message, code, status) -> None:
    assert environment_fault(kind, message, code, status)


@pytest.mark.parametrize(("kind", "message", "code", "status"), [
    ("validation_error", "unknown parameter(s) Foo", "ParamValidationError", None),
    ("policy_denied", "a write operation", None, None),
    ("provider_error", "The instance ID 'i-1' does not exist", "InvalidInstanceID.NotFound",
     400),
    ("provider_error", "pods \"x\" not found", "NotFound", 404),
    ("not_found", "no operation", None, None),
])
def test_code_faults_are_not_the_environment(kind, message, code, status) -> None:
    assert not environment_fault(kind, message, code, status)


def test_a_target_down_does_not_deprecate_a_tool(aws_env, reg_settings, sandbox, lookup,
                                                 plugin_manager, monkeypatch) -> None:
    registry = ToolRegistry(reg_settings, sandbox=sandbox, operation_lookup=lookup,
                            pm=plugin_manager, min_calls=3)
    registry.register("ec2_count", "Count EC2 reservations.", EC2_TOOL, EC2_TEST,
                      {"type": "object", "properties": {}})
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    for _ in range(4):
        with pytest.raises(ToolCallError, match="because of the environment"):
            registry.call("ec2_count", {})
    head = registry.store.head("ec2_count")
    assert head.status == "active"
    assert registry.summary("ec2_count").stats.window_calls == 0
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_env)
    assert registry.call("ec2_count", {})["n"] >= 0


def test_the_codes_own_failures_still_count(reg_settings, sandbox, lookup) -> None:
    registry = ToolRegistry(reg_settings, sandbox=sandbox, operation_lookup=lookup, min_calls=3)
    registry.register("flaky_tool", "Fails when asked to.", FLAKY, "assert main()['ok']\n",
                      PARAMS)
    for _ in range(3):
        with pytest.raises(ToolCallError, match="upstream said no"):
            registry.call("flaky_tool", {"fail": True})
    assert registry.store.head("flaky_tool").status == "deprecated"


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_deprecated_tool_called_by_name_says_how_to_restore_it(
        anyio_backend, reg_settings, sandbox) -> None:
    state = ServerState(reg_settings)
    state.__dict__["sandbox"] = sandbox
    state.registry.register("flaky_tool", "Fails when asked to.", FLAKY,
                            "assert main()['ok']\n", PARAMS)
    state.registry.deprecate("flaky_tool", "score 0.10 below 0.45 after 10 calls")
    async with connected_session(build_server(state)) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert "flaky_tool" not in names
        answer = await client.call_tool("flaky_tool", {})
        text = answer.content[0].text
        assert answer.isError and "deprecated" in text
        assert "mcp-sre tools restore flaky_tool" in text
        assert "Unknown tool" not in json.dumps(text)
