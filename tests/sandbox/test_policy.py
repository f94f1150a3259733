"""Policy decisions, rate limits, audit records and the host bridge on real botocore specs."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from mcp_sre.errors import NotFoundError, ValidationError
from mcp_sre.sandbox.audit import AuditLog, redact
from mcp_sre.sandbox.bridge import CallHandler, OperationResolver, jsonable, validate_params
from mcp_sre.sandbox.models import CallRecord, ProviderCallError
from mcp_sre.sandbox.policy import BUILTIN_SENSITIVE, Policy, PolicyConfig
from mcp_sre.specs.model import APISpec


def test_reads_pass_writes_need_a_person(lookup) -> None:
    policy = Policy()
    assert policy.decide(lookup("aws/ec2/DescribeInstances")).allowed
    denied = policy.decide(lookup("aws/ec2/TerminateInstances"))
    assert not denied.allowed and denied.rule == "write"
    assert "--allow-writes" in denied.reason
    assert policy.decide(lookup("aws/ec2/TerminateInstances"), allow_writes=True).allowed
    scoped = ["aws/ec2/StopInstances"]
    assert policy.decide(lookup("aws/ec2/StopInstances"), allow_writes=scoped).allowed
    assert not policy.decide(lookup("aws/ec2/TerminateInstances"), allow_writes=scoped).allowed


def test_sensitive_reads_and_deny_lists(lookup, plugin_manager) -> None:
    sensitive = [p for group in plugin_manager.hook.sensitive_operations() for p in group]
    policy = Policy(sensitive=sensitive)
    for op in ("aws/secretsmanager/GetSecretValue", "aws/kms/Decrypt", "aws/ssm/GetParameter",
               "aws/ssm/GetParametersByPath", "aws/sts/GetSessionToken"):
        decision = policy.decide(lookup(op), allow_writes=True)  # writes don't unlock secrets
        assert not decision.allowed and decision.rule == "sensitive", op
    assert policy.decide(lookup("aws/secretsmanager/ListSecrets")).allowed
    exempt = Policy(PolicyConfig(allow_sensitive=["aws/ssm/GetParameter"]), sensitive)
    assert exempt.decide(lookup("aws/ssm/GetParameter")).allowed
    deny = Policy(PolicyConfig(deny=["aws/logs/*"]))
    decision = deny.decide(lookup("aws/logs/DescribeLogGroups"))
    assert not decision.allowed and decision.rule == "deny"


def test_builtin_globs_cover_other_providers() -> None:
    import fnmatch

    ids = ["kubernetes/core_v1/readCoreV1NamespacedSecret",
           "kubernetes/core_v1/listCoreV1SecretForAllNamespaces",
           "gcp/kms/projects.locations.keyRings.cryptoKeys.decrypt",
           "aws/iam/GetCredentialReport"]
    for op in ids:
        assert any(fnmatch.fnmatchcase(op.lower(), g) for g in BUILTIN_SENSITIVE), op
    assert not any(fnmatch.fnmatchcase("kubernetes/core_v1/listcorev1namespacedpod", g)
                   for g in BUILTIN_SENSITIVE)


def test_providers_rate_limit_and_budget(lookup) -> None:
    spec = lookup("aws/ec2/DescribeVolumes")
    policy = Policy(PolicyConfig(rate_limit_per_minute=2, max_calls_per_run=10))
    assert not policy.decide(spec, providers=["kubernetes"]).allowed
    assert policy.decide(spec, providers=["aws"]).allowed
    assert policy.decide(spec).allowed
    third = policy.decide(spec)
    assert not third.allowed and third.rule == "rate"
    assert policy.decide(lookup("aws/ec2/DescribeInstances")).allowed  # per operation
    budget = policy.decide(lookup("aws/ec2/DescribeImages"), calls_so_far=10)
    assert not budget.allowed and budget.rule == "budget"


def test_validate_params(lookup) -> None:
    spec = lookup("aws/logs/GetLogEvents")
    validate_params(spec, {"logGroupName": "g", "logStreamName": "s", "limit": 10})
    with pytest.raises(ValidationError, match="missing required parameter"):
        validate_params(spec, {"logGroupName": "g"})
    with pytest.raises(ValidationError, match=r"unknown parameter\(s\) logGroup;.*logGroupName"):
        validate_params(spec, {"logGroup": "g", "logStreamName": "s"})
    with pytest.raises(ValidationError, match="limit must be integer"):
        validate_params(spec, {"logGroupName": "g", "logStreamName": "s", "limit": "10"})
    stats = lookup("aws/cloudwatch/GetMetricStatistics")
    params = {"Namespace": "n", "MetricName": "m", "StartTime": 1700000000,
              "EndTime": "2026-01-01T00:00:00Z", "Period": 60}
    validate_params(stats, params)  # timestamps may be epoch numbers or ISO strings


def test_resolver_maps_sdk_method_names(lookup) -> None:
    resolver = OperationResolver(lookup, lookup.names)
    assert resolver("aws/ec2/describe_instances").id == "aws/ec2/DescribeInstances"
    assert resolver("aws/ec2/enable_volume_io").id == "aws/ec2/EnableVolumeIO"
    assert resolver("aws/rds/describe_db_instances").id == "aws/rds/DescribeDBInstances"
    with pytest.raises(NotFoundError):
        resolver("aws/ec2/describe_unicorns")
    with pytest.raises(ValidationError, match="provider/service/Operation"):
        resolver("DescribeInstances")
    naive = OperationResolver(lookup)  # no name listing: capitalised words, acronyms
    assert naive("aws/logs/describe_log_groups").id == "aws/logs/DescribeLogGroups"
    assert naive("aws/rds/describe_db_instances").id == "aws/rds/DescribeDBInstances"
    with pytest.raises(NotFoundError):
        naive("aws/ec2/describe_unicorns")


def _handler(lookup, execute, audit: AuditLog | None = None, **kwargs: Any) -> CallHandler:
    return CallHandler(resolve=OperationResolver(lookup, lookup.names), policy=Policy(),
                       execute=execute, audit=audit, run_id="run-1",
                       deadline=time.monotonic() + kwargs.pop("seconds", 10), **kwargs)


def test_handler_executes_allowed_calls(lookup, tmp_path: Path) -> None:
    import marshal
    from datetime import UTC, datetime

    seen: list[tuple[str, dict, dict]] = []

    def execute(spec: APISpec, params: dict, context: dict) -> Any:
        seen.append((spec.id, params, context))
        return {"Volumes": [{"CreateTime": datetime(2026, 1, 1, tzinfo=UTC), "Size": 8}]}

    audit = AuditLog(tmp_path / "audit.log")
    handler = _handler(lookup, execute, audit, context={"aws": {"profile": "ro"}})
    reply = handler.call({"id": 7, "op": "aws/ec2/describe_volumes",
                          "params": {"MaxResults": 5}, "ctx": {"region": "eu-west-1"}})
    assert isinstance(reply, bytes)
    decoded = marshal.loads(reply)
    assert decoded == {"id": 7, "ok": True,
                       "data": {"Volumes": [{"CreateTime": "2026-01-01T00:00:00+00:00",
                                             "Size": 8}]}}
    op, params, context = seen[0]
    assert op == "aws/ec2/DescribeVolumes" and params == {"MaxResults": 5}
    assert context["profile"] == "ro" and context["region"] == "eu-west-1"
    assert context["run_id"] == "run-1" and context["timeout_s"] > 0
    bad_region = handler._context(lookup("aws/ec2/DescribeVolumes"), {"region": "../../evil"})
    assert "region" not in bad_region
    entry = audit.read()[0]
    assert entry["operation"] == "aws/ec2/DescribeVolumes" and entry["decision"] == "allowed"


def test_handler_reports_refusals_and_provider_errors(lookup) -> None:
    def execute(spec: APISpec, params: dict, context: dict) -> Any:
        raise ProviderCallError("no such volume", code="InvalidVolume.NotFound", status=400)

    handler = _handler(lookup, execute)
    denied = handler.call({"id": 1, "op": "aws/ec2/DeleteVolume", "params": {"VolumeId": "v"}})
    assert isinstance(denied, dict) and denied["error"]["kind"] == "policy_denied"
    unknown = handler.call({"id": 2, "op": "aws/ec2/DescribeUnicorns", "params": {}})
    assert isinstance(unknown, dict) and unknown["error"]["kind"] == "not_found"
    invalid = handler.call({"id": 3, "op": "aws/ec2/DescribeVolumes", "params": {"Bogus": 1}})
    assert isinstance(invalid, dict) and invalid["error"]["kind"] == "validation_error"
    failed = handler.call({"id": 4, "op": "aws/ec2/DescribeVolumes", "params": {}})
    assert isinstance(failed, dict)
    assert failed["error"] == {"kind": "provider_error", "message": "no such volume",
                               "code": "InvalidVolume.NotFound", "status": 400,
                               "operation": "aws/ec2/DescribeVolumes"}
    assert [r.decision for r in handler.records] == ["denied", "invalid", "invalid", "allowed"]
    assert handler.records[-1].error is not None
    assert handler.denied == [handler.records[0]]


def test_handler_times_out_slow_calls(lookup) -> None:
    timeouts: list[str] = []

    def slow(spec: APISpec, params: dict, context: dict) -> Any:
        time.sleep(2)
        return {}

    handler = _handler(lookup, slow, seconds=0.3, on_timeout=timeouts.append)
    started = time.monotonic()
    reply = handler.call({"id": 1, "op": "aws/ec2/DescribeVolumes", "params": {}})
    assert time.monotonic() - started < 1.5
    assert isinstance(reply, dict) and reply["error"]["kind"] == "timeout"
    assert timeouts and "DescribeVolumes" in timeouts[0]


def test_handler_survives_plugin_bugs_and_huge_answers(lookup) -> None:
    def buggy(spec: APISpec, params: dict, context: dict) -> Any:
        raise KeyError("oops")

    reply = _handler(lookup, buggy).call({"id": 1, "op": "aws/ec2/DescribeVolumes",
                                          "params": {}})
    assert isinstance(reply, dict) and reply["error"]["message"] == "KeyError: 'oops'"
    huge = _handler(lookup, lambda s, p, c: {"Blob": "x" * 5000}, reply_limit=1000)
    reply = huge.call({"id": 2, "op": "aws/ec2/DescribeVolumes", "params": {}})
    assert isinstance(reply, dict) and "over the 1000-byte limit" in reply["error"]["message"]


def test_jsonable_and_redact() -> None:
    from decimal import Decimal
    from enum import IntEnum

    class Color(IntEnum):
        RED = 1

    data = jsonable({"b": b"\x00\x01", "d": Decimal("1.5"), "i": Decimal(3), "t": (1, 2),
                     "e": Color.RED, 5: {1, 2}})
    assert data == {"b": "AAE=", "d": 1.5, "i": 3, "t": [1, 2], "e": 1, "5": [1, 2]}
    assert json.loads(json.dumps(data)) == data
    masked = redact({"Password": "hunter2", "NextToken": "abc", "Filters": [{"Name": "x"}],
                     "SecretId": "db", "WithDecryption": True, "note": "y" * 3000})
    assert masked["Password"] == "***" and masked["SecretId"] == "***"
    assert masked["NextToken"] == "abc" and masked["WithDecryption"] is True
    assert masked["Filters"] == [{"Name": "x"}] and len(masked["note"]) < 2100


def test_audit_log_lines_never_interleave(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.log")
    record = CallRecord(operation="aws/ec2/DescribeVolumes", params={"x": "y" * 3000},
                        decision="allowed")

    def write(n: int) -> None:
        for _ in range(50):
            audit.write(record, run_id=f"run-{n}")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = audit.read()
    assert len(entries) == 200
    assert {e["run_id"] for e in entries} == {"run-0", "run-1", "run-2", "run-3"}
    assert oct((tmp_path / "audit.log").stat().st_mode)[-3:] == "600"
