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
