"""DataAdapter over the shipped provider rules (plugins' health.yaml), on real response shapes."""

from __future__ import annotations

import pytest

from mcp_sre.agents.health.adapter import DataAdapter
from mcp_sre.agents.health.config import load_health_config
from mcp_sre.agents.health.evaluate import judge_metric
from mcp_sre.agents.health.report import mapping_files
from mcp_sre.agents.health.schema import HealthStatus
from mcp_sre.plugin_manager import make_plugin_manager


@pytest.fixture(scope="module")
def adapter() -> DataAdapter:
    return DataAdapter(mapping_files(make_plugin_manager()))


def test_cloudwatch_statistics_keep_gaps_and_units(adapter: DataAdapter) -> None:
    params = {
        "MetricName": "CPUUtilization",
        "Dimensions": [{"Name": "InstanceId", "Value": "i-1"}],
    }
    response = {
        "Label": "CPUUtilization",
        "Datapoints": [
            {"Timestamp": "2026-12-01T10:00:00Z", "Average": 91.0, "Unit": "Percent"},
            {"Timestamp": "2026-12-01T10:05:00Z", "Average": 95.0, "Unit": "Percent"},
        ],
    }
    [obs] = adapter.adapt("aws/cloudwatch/GetMetricStatistics", response, params=params)
    assert obs.id == "i-1" and not obs.component
    points, unit = obs.metrics["cpu_utilization"]
    assert [v for _, v in points] == [91.0, 95.0] and unit == "Percent"
    threshold = load_health_config().threshold("cpu_utilization")
    judged = judge_metric("cpu_utilization", points, unit, obs.source, threshold)
    assert judged.status == HealthStatus.unhealthy and judged.value == 93.0
    # no datapoints: unknown with a reason, never a zero that looks healthy
    [empty] = adapter.adapt("aws/cloudwatch/GetMetricStatistics", {"Datapoints": []}, params=params)
    judged = judge_metric(
        "cpu_utilization", empty.metrics["cpu_utilization"][0], "", empty.source, threshold
    )
    assert judged.status == HealthStatus.unknown and judged.value is None
    assert judged.reason == "no data in the window"
    # a unit the threshold does not know: unknown, not converted by guess
    judged = judge_metric("cpu_utilization", points, "Bytes", obs.source, threshold)
    assert judged.status == HealthStatus.unknown and "unit 'Bytes'" in judged.reason


def test_alarms_and_instances(adapter: DataAdapter) -> None:
    alarms = {
        "MetricAlarms": [
            {
                "AlarmName": "a",
                "StateValue": "ALARM",
                "StateReason": "crossed",
                "Dimensions": [{"Name": "InstanceId", "Value": "i-9"}],
            },
            {"AlarmName": "b", "StateValue": "INSUFFICIENT_DATA", "Dimensions": []},
        ]
    }
    [obs] = adapter.adapt("aws/cloudwatch/DescribeAlarms", alarms)
    assert obs.states == [("alarm", "ALARM", HealthStatus.unhealthy, "crossed")]
    instances = {
        "Reservations": [
            {
                "Instances": [
                    {
                        "InstanceId": "i-9",
                        "State": {"Name": "stopped"},
                        "Tags": [
                            {"Key": "Name", "Value": "web"},
                            {"Key": "业务", "Value": "电商平台"},
                        ],
                    }
                ]
            }
        ]
    }
    [inst] = adapter.adapt("aws/ec2/DescribeInstances", instances)
    assert (inst.id, inst.name, inst.kind) == ("i-9", "web", "instance")
    assert inst.labels["业务"] == "电商平台"
    assert inst.states[0][:3] == ("instance_state", "stopped", HealthStatus.unhealthy)


def test_pods_roll_up_into_their_workload(adapter: DataAdapter) -> None:
    pods = {
        "items": [
            {
                "metadata": {
                    "name": "checkout-6d5f9c7b8-9wq7z",
                    "namespace": "shop",
                    "labels": {"app": "checkout", "pod-template-hash": "6d5f9c7b8"},
                    "ownerReferences": [{"kind": "ReplicaSet", "name": "checkout-6d5f9c7b8"}],
                },
                "spec": {"nodeName": "node-b"},
                "status": {
                    "phase": "Running",
                    "containerStatuses": [
                        {"restartCount": 14, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}
                    ],
                },
            }
        ]
    }
    [pod] = adapter.adapt("kubernetes/core_v1/listCoreV1PodForAllNamespaces", pods)
    assert pod.parent == "shop/checkout" and pod.placement == "node-b"
    assert ("waiting_reason", "CrashLoopBackOff", HealthStatus.unhealthy, "") in pod.states
    assert pod.metrics["restarts"][0] == [(None, 14.0)]


def test_prometheus_matrix(adapter: DataAdapter) -> None:
    body = {
        "status": "success",
        "data": {
            "resultType": "matrix",
            "result": [
                {
                    "metric": {"service": "checkout", "business": "shop"},
                    "values": [[1700000000, "0.1"], [1700000060, "NaN"], [1700000120, "0.2"]],
                }
            ],
        },
    }
    [obs] = adapter.adapt(
        "prometheus/api/queryRange", body, ctx={"metric": "error_rate", "unit": "ratio"}
    )
    assert obs.name == "checkout" and obs.labels["business"] == "shop"
    assert obs.metrics["error_rate"] == ([(1700000000.0, 0.1), (1700000120.0, 0.2)], "ratio")


def test_unknown_shape_is_reported_not_guessed(adapter: DataAdapter) -> None:
    assert adapter.adapt("acme/monitor/GetThings", {"things": [{"id": 1, "v": 3}]}) == []
    assert adapter.unmapped == ["acme/monitor/GetThings"]
