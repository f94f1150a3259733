"""volcenginesdk-style code in the sandbox, through the bridge and the host executor, against
a signature-checking gateway on 127.0.0.1: signing, query/JSON encoding, pagination, retries,
errors, and the read-only policy."""

from __future__ import annotations

from typing import Any

import pytest
from conftest_volcengine import gateway

from mcp_sre.sandbox import Sandbox
from mcp_sre.sandbox.models import ProviderCallError
from mcp_sre_volcengine import executor

INSTANCES = [{"InstanceId": f"i-{n:03d}", "InstanceName": f"web-{n}", "Status": "RUNNING",
              "ZoneId": "cn-beijing-a", "EipAddress": {"IpAddress": "1.2.3.4"}}
             for n in range(5)]


def _answer(action: str, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    meta = {"RequestId": "r-1", "Action": action}
    if action == "DescribeInstances":
        start = int(params.get("NextToken") or 0)
        size = int(params.get("MaxResults") or 100)
        page = INSTANCES[start:start + size]
        token = str(start + size) if start + size < len(INSTANCES) else ""
        return 200, {"ResponseMetadata": meta, "Result": {"Instances": page, "NextToken": token}}
    if action == "GetMetricData":
        return 200, {"ResponseMetadata": meta, "Result": {"Data": {
            "MetricName": params.get("MetricName"), "Namespace": params.get("Namespace"),
            "MetricDataResults": [{"Dimensions": [{"Name": "ResourceID", "Value": "i-000"}],
                                   "DataPoints": [{"Timestamp": 1, "Value": 91.5}]}]}}}
    return 404, {"ResponseMetadata": {**meta, "Error": {"Code": "InvalidAction",
                                                        "Message": f"no {action}"}}}


@pytest.fixture
def gw(volc_env, monkeypatch: pytest.MonkeyPatch):
    with gateway(_answer) as server:
        monkeypatch.setenv("VOLCENGINE_ENDPOINT_URL", server.url)
        yield server


def test_sdk_code_lists_instances_over_pages(volc_sandbox: Sandbox, gw) -> None:
    code = """
import volcenginesdkcore, volcenginesdkecs
from volcenginesdkcore.rest import ApiException
configuration = volcenginesdkcore.Configuration()
configuration.ak = "ignored"; configuration.sk = "ignored"; configuration.region = "cn-shanghai"
volcenginesdkcore.Configuration.set_default(configuration)
api = volcenginesdkecs.ECSApi()
ids, token = [], None
while True:
    resp = api.describe_instances(volcenginesdkecs.DescribeInstancesRequest(
        max_results=2, next_token=token, instance_ids=["i-000", "i-001"]))
    ids += [i.instance_id for i in resp.instances]
    token = resp.next_token
    if not token:
        break
first = resp.to_dict()["instances"][0]
sre.result({"ids": ids, "eip": first["eip_address"]["ip_address"],
            "pages": [len(p["Instances"]) for p in sre.pages("volcengine/ecs/DescribeInstances",
                                                             {"MaxResults": 2})]})
"""
    result = volc_sandbox.run(code, providers=["volcengine"])
    assert result.ok, (result.error, result.stderr)
    assert result.result["ids"] == [f"i-{n:03d}" for n in range(5)]
    assert result.result["eip"] == "1.2.3.4"
    assert result.result["pages"] == [2, 2, 1]
    first = gw.requests[0]
    assert first["signature"] == "ok" and first["method"] == "GET"
    assert (first["action"], first["version"], first["service"], first["region"]) == \
        ("DescribeInstances", "2020-04-01", "ecs", "cn-shanghai")
    # lists go over the wire the SDK's way; the guest's region reaches the signature scope
    assert first["params"]["InstanceIds.1"] == "i-000" and first["params"]["MaxResults"] == "2"
    assert {c.operation for c in result.calls} == {"volcengine/ecs/DescribeInstances"}


def test_an_operation_the_spec_lacks(volc_sandbox: Sandbox, gw) -> None:
    code = """
import volcenginesdkecs
try:
    volcenginesdkecs.ECSApi().describe_flying_saucers({})
except AttributeError as exc:
    sre.result(str(exc))
"""
    result = volc_sandbox.run(code, providers=["volcengine"])
    assert "describe_flying_saucers" in str(result.result), (result.error, result.stderr)
    assert gw.requests == []


def test_json_body_operation_and_errors(volc_sandbox: Sandbox, gw) -> None:
    code = """
import volcenginesdkcloudmonitor as cm
from volcenginesdkcore.rest import ApiException
api = cm.CLOUDMONITORApi()
data = api.get_metric_data(cm.GetMetricDataRequest(
    namespace="VCM_ECS", sub_namespace="Instance", metric_name="CpuTotal",
    instances=[cm.InstanceForGetMetricDataInput(dimensions=[cm.DimensionForGetMetricDataInput(
        name="ResourceID", value="i-000")])], start_time=1, end_time=2, period="5m")).data
try:
    api.list_events({"Region": "cn-beijing"})
    error = None
except ApiException as exc:
    error = [exc.status, exc.reason]
sre.result({"value": data.metric_data_results[0].data_points[0].value, "error": error})
"""
    result = volc_sandbox.run(code, providers=["volcengine"])
    assert result.ok, (result.error, result.stderr)
    assert result.result == {"value": 91.5, "error": [404, "InvalidAction"]}
    sent = gw.requests[0]
    assert sent["method"] == "POST" and sent["signature"] == "ok"
    assert sent["params"]["Instances"][0]["Dimensions"] == [{"Name": "ResourceID",
                                                             "Value": "i-000"}]


@pytest.mark.parametrize(("code", "operation", "rule"), [
    ("volcenginesdkecs.ECSApi().stop_instance({'InstanceId': 'i-000'})",
     "volcengine/ecs/StopInstance", "write"),
    ("volcenginesdkecs.ECSApi().describe_user_data({'InstanceId': 'i-000'})",
     "volcengine/ecs/DescribeUserData", "sensitive"),
    ("volcenginesdkecs.ECSApi().describe_instance_vnc_url({'InstanceId': 'i-000'})",
     "volcengine/ecs/DescribeInstanceVncUrl", "write"),
    ("volcenginesdkvke.VKEApi().list_kubeconfigs({})", "volcengine/vke/ListKubeconfigs",
     "sensitive"),
])
def test_writes_and_sensitive_reads_are_refused(volc_sandbox: Sandbox, gw, code: str,
                                                operation: str, rule: str) -> None:
    program = f"""
import volcenginesdkecs, volcenginesdkvke
try:
    {code}
    sre.result("called")
except sre.PolicyDenied as exc:
    sre.result(["denied", exc.details.get("rule")])
"""
    result = volc_sandbox.run(program, providers=["volcengine"])
    assert result.result == ["denied", rule]  # the guest saw a PolicyDenied with the rule
    assert result.error is not None and result.error.type == "policy_denied"  # run marked
    assert [(c.operation, c.decision) for c in result.calls] == [(operation, "denied")]
    assert gw.requests == []  # nothing reached the cloud


def test_throttling_is_retried(volc_env, volc_lookup, monkeypatch) -> None:
    calls = []

    def answer(action, method, params):
        calls.append(action)
        if len(calls) < 3:
            return 429, {"ResponseMetadata": {"Error": {"Code": "FlowLimitExceeded",
                                                        "Message": "slow down"}}}
        return _answer(action, method, params)

    monkeypatch.setattr(executor, "BASE_DELAY_S", 0.01)
    with gateway(answer) as server:
        spec = volc_lookup("volcengine/ecs/DescribeInstances")
        data = executor.execute_operation(spec, {"MaxResults": 1},
                                          {"endpoint_url": server.url, "timeout_s": 10})
    assert len(calls) == 3 and data["Instances"][0]["InstanceId"] == "i-000"


def test_throttling_gives_up_with_the_code(volc_env, volc_lookup, monkeypatch) -> None:
    monkeypatch.setattr(executor, "BASE_DELAY_S", 0.01)
    throttled = {"ResponseMetadata": {"Error": {"Code": "FlowLimitExceeded",
                                                "Message": "slow down"}}}
    with gateway(lambda *a: (429, throttled)) as server, \
            pytest.raises(ProviderCallError) as err:
        executor.execute_operation(volc_lookup("volcengine/ecs/DescribeInstances"), {},
                                   {"endpoint_url": server.url, "timeout_s": 10})
    assert err.value.code == "FlowLimitExceeded" and err.value.status == 429


def test_no_credentials_names_the_variables(volc_env, volc_lookup, monkeypatch) -> None:
    monkeypatch.delenv("VOLCENGINE_ACCESS_KEY")
    monkeypatch.delenv("VOLCENGINE_SECRET_KEY")
    executor.reset_credentials()
    with pytest.raises(ProviderCallError) as err:
        executor.execute_operation(volc_lookup("volcengine/ecs/DescribeInstances"), {},
                                   {"endpoint_url": "http://127.0.0.1:9", "timeout_s": 5})
    assert err.value.code == "NoCredentials"
    assert "VOLCENGINE_ACCESS_KEY" in str(err.value.hint)
    assert "config.json" in str(err.value.hint)


def test_wrong_secret_and_unreachable_endpoint(volc_env, volc_lookup, monkeypatch) -> None:
    monkeypatch.setenv("VOLCENGINE_SECRET_KEY", "wrong")
    executor.reset_credentials()
    spec = volc_lookup("volcengine/ecs/DescribeInstances")
    with gateway(_answer) as server, pytest.raises(ProviderCallError) as err:
        executor.execute_operation(spec, {}, {"endpoint_url": server.url, "timeout_s": 5})
    assert err.value.code == "SignatureDoesNotMatch" and err.value.status == 401
    assert "VOLCENGINE_SECRET_KEY" in str(err.value.hint)
    monkeypatch.setattr(executor, "BASE_DELAY_S", 0.01)
    with pytest.raises(ProviderCallError, match="cannot reach") as err:
        executor.execute_operation(spec, {}, {"endpoint_url": "http://127.0.0.1:9",
                                              "timeout_s": 5})
    assert "VOLCENGINE_REGION" in str(err.value.hint)


def test_default_endpoint_follows_the_region(monkeypatch) -> None:
    monkeypatch.delenv("VOLCENGINE_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("VOLCENGINE_ENDPOINT", raising=False)
    url = executor.endpoint_url("ecs", "cn-shanghai", {})
    assert url.startswith("https://") and "volcengineapi.com" in url
    monkeypatch.setenv("VOLCENGINE_ENDPOINT", "open.example.test")
    assert executor.endpoint_url("ecs", "cn-shanghai", {}) == "https://open.example.test"


def test_secret_fields_are_masked() -> None:
    data = {"Instances": [{"UserData": "c2VjcmV0", "Password": "p", "NextToken": "n",
                           "Name": "x"}]}
    masked = executor.mask_secrets(data)["Instances"][0]
    assert masked["UserData"] == masked["Password"] == executor.MASK
    assert masked["NextToken"] == "n" and masked["Name"] == "x"
