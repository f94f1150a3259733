"""Volcano Engine exceptions to the action-name rule, and reads refused by default.

The volcenginesdk format classifies by the action's verb (``Describe``/``List``/``Get``/
``Query``/``Check``/``Search``/``Inspect`` read, everything else write). The verb lies for a few
actions: some ``Describe``/``Get`` mint access (a VNC login URL, a signed download link, a
token), and those are writes here. Reads whose answer is itself a secret (user data, kubeconfigs
with credentials, backup decryption keys, KMS plaintext and secret values) stay reads but are
refused by the host policy unless the user allows them. Patterns name services that are not
installed by default (kms, iam, sts) so that adding their SDK packages is safe too.
"""

from __future__ import annotations

import re

from mcp_sre import hookimpl
from mcp_sre.specs.model import APISpec

__all__ = ["GRANTING", "SENSITIVE_READS", "WRITE_OVERRIDES", "classify_operation", "classify_volcengine",
           "sensitive_operations"]

PROVIDER = "volcengine"

# Read-named actions that grant access or act: judged writes.
GRANTING = re.compile(r"^(Describe|Get|List|Query)\w*(Url|Link|"
                      r"Token|Tokens|Credentials?|PresignedUrl|ConsoleUrl)$")
WRITE_OVERRIDES = frozenset({
    "ecs:DescribeInstanceVncUrl",  # returns a one-time VNC login URL to the instance console
})

# Reads whose result is secret material, as ``volcengine/<service>/<action>`` globs.
SENSITIVE_READS = (
    "volcengine/ecs/DescribeUserData",
    "volcengine/ecs/GetConsoleOutput",
    "volcengine/vke/ListKubeconfigs",
    "volcengine/rdsmysqlv2/DescribeBackupDecryptionKey",
    "volcengine/rdsmysql*/Describe*DecryptionKey*",
    "volcengine/kms/Decrypt",
    "volcengine/kms/GenerateDataKey*",
    "volcengine/kms/ReEncrypt",
    "volcengine/kms/GetSecretValue",
    "volcengine/kms/DescribeSecretValue*",
    "volcengine/kms/GetParametersForImport",
    "volcengine/iam/*AccessKey*Secret*",
    "volcengine/sts/AssumeRole*",
    "volcengine/*/Get*Password*",
    "volcengine/*/Describe*Password*",
    "volcengine/*/*Kubeconfig*",
)


def classify_volcengine(service: str, action: str) -> str | None:
    """``"write"`` where Volcano Engine's verb says read but the action grants access."""
    if f"{service}:{action}" in WRITE_OVERRIDES or GRANTING.match(action):
        return "write"
    return None


@hookimpl
def classify_operation(spec: APISpec) -> str | None:
    if spec.provider != PROVIDER:
        return None
    return classify_volcengine(spec.service, spec.name)


@hookimpl
def sensitive_operations() -> list[str]:
    return list(SENSITIVE_READS)
