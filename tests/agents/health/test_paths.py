"""The mapping rules' path language."""

from __future__ import annotations

import pytest

from mcp_sre.agents.health.paths import PathError, field_values, first, parse_path

RECORD = {
    "metadata": {
        "name": "web",
        "namespace": "shop",
        "labels": {"app.kubernetes.io/part-of": "shop", "pod-template-hash": "abc12"},
        "ownerReferences": [{"name": "web-abc12"}],
    },
    "Tags": [{"Key": "Name", "Value": "web-1"}, {"Key": "team", "Value": "shop"}],
    "status": {
        "conditions": [
            {"type": "Ready", "status": "False"},
            {"type": "Available", "status": "True"},
        ],
        "containerStatuses": [{"restartCount": 2}, {"restartCount": 5}],
        "readyReplicas": 1,
    },
    "spec": {"replicas": 4},
    "values": [[1, "0.5"], [2, "NaN"], [3, "0.7"]],
}


def test_keys_filters_indexes_and_quotes() -> None:
    assert first("Tags[Key=Name].Value", RECORD) == "web-1"
    assert first('metadata.labels."app.kubernetes.io/part-of"', RECORD) == "shop"
    assert first("status.conditions[type=Ready].status", RECORD) == "False"
    assert field_values("values[*][1]", RECORD) == ["0.5", "NaN", "0.7"]
    assert first("values[-1][0]", RECORD) == 3
    assert field_values("metadata.missing.deeper", RECORD) == []


def test_params_and_ctx_roots() -> None:
    env = {"params": {"Dimensions": [{"Value": "i-1"}]}, "ctx": {"metric": "up"}}
    assert first("$params.Dimensions[0].Value", {}, env) == "i-1"
    assert first("$ctx.metric", {}, env) == "up"


def test_templates_fallbacks_and_operations() -> None:
    assert first("{metadata.namespace}/{metadata.name}", RECORD) == "shop/web"
    assert first("{metadata.nothing}/{metadata.name}", RECORD) is None  # no half-made ids
    assert first(["metadata.nothing", "metadata.name"], RECORD) == "web"
    assert first({"ratio": ["status.readyReplicas", "spec.replicas"]}, RECORD) == 0.25
    assert first({"ratio": ["status.none", "spec.replicas"]}, RECORD) == 0.0  # absent = 0 ready
    assert first({"ratio": ["status.readyReplicas", "spec.none"]}, RECORD) is None
    assert first({"path": "status.containerStatuses[*].restartCount", "sum": True}, RECORD) == 7
    assert (
        first(
            {
                "template": "{metadata.namespace}/{metadata.ownerReferences[0].name}",
                "trim_suffix": "-{metadata.labels.pod-template-hash}",
            },
            RECORD,
        )
        == "shop/web"
    )
    arn = {"a": "arn:aws:logs:us-east-1:1:log-group:/shop/checkout:*"}
    assert first({"path": "a", "split": [":", "/"], "part": [6, -1]}, arn) == "checkout"
    assert first({"path": "status.conditions[*].status", "map": {"True": "ok"}}, RECORD) == "ok"
    assert first({"path": "none", "default": 3}, RECORD) == 3
    assert first({"value": "instance"}, RECORD) == "instance"


def test_bad_path_is_an_error() -> None:
    with pytest.raises(PathError):
        parse_path("items[?]")
