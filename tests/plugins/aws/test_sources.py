"""The aws plugin: its doc source, its read/write overrides and its sensitive reads, checked
against the operations of the installed botocore (so a typo or a renamed operation fails)."""

from __future__ import annotations

import pytest

from mcp_sre.config import Settings
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.specs.catalog import SpecCatalog
from mcp_sre.specs.fetch import fetch_source
from mcp_sre.specs.model import APISpec, SpecSource
from mcp_sre.specs.parse import parse_content
from mcp_sre_aws import classify as aws_classify
from mcp_sre_aws.classify import READ_OVERRIDES, SENSITIVE_READS, WRITE_OVERRIDES
from mcp_sre_botocore.convert import access_from_name


@pytest.fixture(scope="module")
def pm():
    return make_plugin_manager()


def registered(pm) -> list[SpecSource]:
    found: list[SpecSource] = []
    pm.hook.register_doc_sources(register=found.append)
    return found


@pytest.fixture(scope="module")
def overridden(pm) -> dict[str, APISpec]:
    """Every service named by an override or a sensitive read, parsed from botocore."""
    services = {k.split(":")[0] for k in WRITE_OVERRIDES | READ_OVERRIDES}
    services |= {p.split("/")[1] for p in SENSITIVE_READS}
    source = SpecSource(name="aws", provider="aws", format="botocore",
                        url="botocore:" + ",".join(sorted(services)))
    specs = parse_content(pm, fetch_source(source, pm=pm).content, source)
    return {s.id: s for s in specs}


def test_aws_source_is_all_of_botocore_and_default(pm) -> None:
    (aws,) = [s for s in registered(pm) if s.provider == "aws"]
    assert (aws.name, aws.url, aws.format, aws.default) == ("aws", "botocore:all", "botocore", True)
    assert aws.description


def test_overrides_name_real_operations_and_change_the_verdict(
    overridden: dict[str, APISpec],
) -> None:
    for key, expected in [(k, "write") for k in WRITE_OVERRIDES] + [
        (k, "read") for k in READ_OVERRIDES
    ]:
        service, operation = key.split(":")
        spec = overridden.get(f"aws/{service}/{operation}")
        assert spec is not None, f"{key} is not a botocore operation"
        assert spec.access == expected, key
        assert access_from_name(operation) != expected, f"{key} override is redundant"


def test_credential_minting_gets_are_writes(overridden, pm) -> None:
    source = SpecSource(name="aws", provider="aws", format="botocore",
                        url="botocore:sts,ecr,sso,redshift,lakeformation,quicksight")
    ops = {s.id: s for s in parse_content(pm, fetch_source(source, pm=pm).content, source)}
    for op_id in ["aws/sts/GetSessionToken", "aws/sts/GetFederationToken",
                  "aws/ecr/GetAuthorizationToken", "aws/sso/GetRoleCredentials",
                  "aws/redshift/GetClusterCredentialsWithIAM",
                  "aws/lakeformation/GetTemporaryGlueTableCredentials",
                  "aws/quicksight/GetDashboardEmbedUrl"]:
        assert ops[op_id].access == "write", op_id
    for op_id in ["aws/sts/GetCallerIdentity", "aws/ecr/DescribeRepositories",
                  "aws/redshift/DescribeClusters", "aws/quicksight/ListDashboards",
                  "aws/ecr/BatchGetImage"]:
        assert ops[op_id].access == "read", op_id


def test_sensitive_reads_are_real_reads(pm, overridden: dict[str, APISpec]) -> None:
    patterns = [p for group in pm.hook.sensitive_operations() for p in group]
    assert "aws/secretsmanager/GetSecretValue" in patterns
    for pattern in SENSITIVE_READS:
        assert pattern in patterns
        spec = overridden.get(pattern)
        assert spec is not None, f"{pattern} is not a botocore operation"
        assert spec.access == "read", pattern


def test_classify_ignores_other_providers(pm, overridden: dict[str, APISpec]) -> None:
    spec = overridden["aws/cognito-identity/GetId"]
    assert pm.hook.classify_operation(spec=spec) == "write"
    foreign = spec.model_copy(update={"provider": "acme", "id": "acme/cognito-identity/GetId"})
    assert aws_classify.classify_operation(spec=foreign) is None
    plain = overridden["aws/ssm/DescribeParameters"]
    assert pm.hook.classify_operation(spec=plain) is None


def test_catalog_serves_a_botocore_source_and_revalidates_by_etag(settings: Settings) -> None:
    """A user source replacing the built-in aws one, through the real catalog."""
    settings = settings.model_copy(update={"sources": [
        {"name": "aws", "provider": "aws", "url": "botocore:sts,logs", "format": "botocore"}]})
    catalog = SpecCatalog(settings=settings)
    ops = catalog.operations("aws")
    assert {s.service for s in ops} == {"sts", "logs"}
    digest = catalog.digest("aws")
    refreshed = catalog.operations("aws", max_age_hours=0)  # etag matches: same content
    assert catalog.digest("aws") == digest
    assert len(refreshed) == len(ops)
    assert catalog.get("aws/logs/FilterLogEvents").access == "read"
