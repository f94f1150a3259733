"""The report against the AWS emulator (moto in server mode): tagging API scope, metrics found
through ListMetrics by any dimension naming an in-scope resource, alarms and logs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import boto3

from mcp_sre.agents.health import HealthAgent, HealthStatus

REGION = "us-east-1"


def test_database_and_log_group_of_a_business(
    aws_env: str, pm, specs, tmp_path: Path, monkeypatch
) -> None:
    for var, value in (
        ("AWS_ENDPOINT_URL", aws_env),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", REGION),
        ("AWS_DEFAULT_REGION", REGION),
    ):
        monkeypatch.setenv(var, value)
    tags = [{"Key": "业务", "Value": "账单"}]
    rds = boto3.client("rds", region_name=REGION)
    for name in ("ledger-db", "ledger-replica"):
        rds.create_db_instance(
            DBInstanceIdentifier=name,
            DBInstanceClass="db.t3.micro",
            Engine="postgres",
            MasterUsername="u",
            MasterUserPassword="not-a-secret-1",
            AllocatedStorage=20,
            Tags=tags,
        )
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    when = datetime.now(UTC) - timedelta(minutes=2)
    for name, cpu in (("ledger-db", 96.0), ("ledger-replica", 20.0)):
        cloudwatch.put_metric_data(
            Namespace="AWS/RDS",
            MetricData=[
                {
                    "MetricName": "CPUUtilization",
                    "Value": cpu,
                    "Unit": "Percent",  # written now
                    "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": name}],
                }
            ],
        )
    cloudwatch.put_metric_data(
        Namespace="Billing",
        MetricData=[
            {  # a custom dimension
                "MetricName": "Latency",
                "Value": 4200.0,
                "Unit": "Milliseconds",
                "Timestamp": when,
                "Dimensions": [{"Name": "Service", "Value": "ledger-replica"}],
            }
        ],
    )
    logs = boto3.client("logs", region_name=REGION)
    logs.create_log_group(logGroupName="/billing/ledger-api", tags={"业务": "账单"})
    agent = HealthAgent(pm, specs, home=tmp_path, providers=["aws"])
    report = anyio.run(lambda: agent.report("账单业务健康吗"))
    comps = {c.name: c for c in report.components}
    assert set(comps) == {"ledger-db", "ledger-replica", "ledger-api"}
    assert comps["ledger-db"].status == HealthStatus.unhealthy
    assert comps["ledger-db"].kind == "database"  # its CPU threshold is the database one
    assert [m.value for m in comps["ledger-db"].metrics] == [96.0]
    latency = next(m for m in comps["ledger-replica"].metrics if m.name == "latency_p95")
    assert latency.value == 4.2 and comps["ledger-replica"].status == HealthStatus.unhealthy
    assert comps["ledger-api"].status == HealthStatus.unknown  # no events: not judged healthy
    assert {m.key for m in comps["ledger-db"].matched} == {"业务"}
    assert report.language == "zh" and report.business == "账单"
