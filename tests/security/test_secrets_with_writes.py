"""Red team (issue 20, item 2): allowing writes must not unlock calls whose purpose is a secret.

Token-minting and key-export calls are classed as writes (they create a grant), so before the
fix ``allow_writes=True`` let them through. The class is checked on real botocore models.
"""

from __future__ import annotations

import pytest

from mcp_sre.sandbox.policy import Policy

TOKEN_MINTING = (
    "aws/sts/AssumeRoot",
    "aws/sts/AssumeRole",
    "aws/sts/AssumeRoleWithWebIdentity",
    "aws/sts/GetWebIdentityToken",
    "aws/ssm/GetAccessToken",
    "aws/sso-oidc/CreateToken",
    "aws/sso-oidc/CreateTokenWithIAM",
    "aws/kms/DeriveSharedSecret",
    "aws/acm/ExportCertificate",
)


@pytest.mark.parametrize("op", TOKEN_MINTING)
def test_token_minting_refused_even_with_writes(lookup, plugin_manager, op: str) -> None:
    try:
        spec = lookup(op)
    except Exception:  # an operation newer than the installed botocore
        pytest.skip(f"{op} is not in this botocore")
    sensitive = [p for group in plugin_manager.hook.sensitive_operations() for p in group]
    policy = Policy(sensitive=sensitive)
    for writes in (False, True, [op]):
        decision = policy.decide(spec, allow_writes=writes)
        assert not decision.allowed and decision.rule == "sensitive", (op, writes)


def test_ordinary_reads_and_writes_still_decided_as_before(lookup) -> None:
    policy = Policy()
    assert policy.decide(lookup("aws/ec2/DescribeInstances")).allowed
    assert policy.decide(lookup("aws/ec2/TerminateInstances"), allow_writes=True).allowed


@pytest.mark.parametrize("verb", ["patch", "replace", "create", "delete", "read", "list"])
def test_every_verb_on_a_kubernetes_secret_is_sensitive(verb: str) -> None:
    from fnmatch import fnmatch

    from mcp_sre.sandbox.policy import BUILTIN_SENSITIVE

    op = f"kubernetes/core/{verb}CoreV1NamespacedSecret".lower()
    assert any(fnmatch(op, glob) for glob in BUILTIN_SENSITIVE), op


# The class by the spec's own markings (botocore ``sensitive`` output members), not by name:
# operations whose answer *is* a credential, token, password or key.
SECRET_BY_SHAPE = (
    ("iam", "CreateAccessKey", "write"),
    ("cognito-idp", "InitiateAuth", "write"),
    ("pca-connector-scep", "GetChallengePassword", "read"),
    ("gamelift", "GetComputeAccess", "read"),
    ("datazone", "GetConnection", "read"),
    ("lightsail", "GetRelationalDatabaseMasterUserPassword", "read"),
    ("secretsmanager", "GetRandomPassword", "read"),
)
MASKED_NOT_REFUSED = (
    ("rds", "DescribeDBInstances"),
    ("ec2", "DescribeVpnConnections"),
    ("ecs", "DescribeTaskDefinition"),
    ("ssm", "GetParameter"),
)


def _bare(service: str, operation: str, access: str = "read"):
    from mcp_sre.specs.model import APISpec, SourceInfo

    return APISpec(id=f"aws/{service}/{operation}", name=operation, provider="aws",
                   service=service, access=access,
                   source=SourceInfo(url="botocore:", format="botocore"))


@pytest.fixture(scope="module")
def shape_policy():
    from mcp_sre.plugin_manager import make_plugin_manager

    pm = make_plugin_manager(only={"botocore", "aws"})
    return Policy(secret_check=lambda spec: pm.hook.secret_operation(spec=spec))


@pytest.mark.parametrize(("service", "operation", "access"), SECRET_BY_SHAPE)
def test_secret_answers_by_shape_refused_even_with_writes(shape_policy, service, operation,
                                                          access) -> None:
    spec = _bare(service, operation, access)
    for writes in (False, True, [spec.id]):
        decision = shape_policy.decide(spec, allow_writes=writes)
        assert not decision.allowed and decision.rule == "sensitive", (spec.id, writes)
        assert "botocore: sensitive" in decision.reason


@pytest.mark.parametrize(("service", "operation"), MASKED_NOT_REFUSED)
def test_reads_with_a_deeper_secret_are_masked_not_refused(shape_policy, service,
                                                           operation) -> None:
    assert shape_policy.decide(_bare(service, operation)).allowed
