"""Google Cloud exceptions to the discovery format's read/write rule, and reads refused by
default.

The discovery plugin classifies by HTTP method and the method's name (GET reads; POST reads
only when named ``list``/``aggregatedList``/``get``/``query``/``search``/``getIamPolicy``...).
What it cannot know is Google's naming of calls that mint credentials or hand out secret
material; those are writes whatever their verb, and also sensitive so that allowing writes
does not unlock them.
"""

from __future__ import annotations

import re

from mcp_sre import hookimpl
from mcp_sre.specs.model import APISpec

__all__ = ["CREDENTIAL_METHODS", "SENSITIVE_READS", "classify_operation", "sensitive_operations"]

PROVIDER = "gcp"

# Method names (last segment of the discovery id) that issue tokens, keys or signatures.
CREDENTIAL_METHODS = re.compile(
    r"^(generateAccessToken|generateIdToken|signBlob|signJwt|getVerificationCode)$")

# Reads whose answer is a secret (payloads, key strings, signed credentials), and calls that
# mint keys. Globs over operation ids; the policy matches them case-insensitively.
SENSITIVE_READS = (
    "gcp/secretmanager/secretmanager.projects.secrets.versions.access",
    "gcp/secretmanager/secretmanager.projects.locations.secrets.versions.access",
    "gcp/*/*.versions.access",
    "gcp/iam/iam.projects.serviceAccounts.keys.create",
    "gcp/iam/iam.projects.serviceAccounts.sign*",
    "gcp/iamcredentials/*",
    "gcp/apikeys/apikeys.projects.locations.keys.getKeyString",
    "gcp/sqladmin/sqladmin.sslCerts.createEphemeral",
    "gcp/sqladmin/sqladmin.connect.generateEphemeralCert",
    "gcp/container/container.projects.locations.clusters.getJwks",
    "gcp/*/*.generateAccessToken",
    "gcp/*/*.generateIdToken",
    "gcp/*/*.signBlob",
    "gcp/*/*.signJwt",
    "gcp/*/*.getKeyString",
    "gcp/monitoring/monitoring.projects.notificationChannels.getVerificationCode",
)


@hookimpl
def classify_operation(spec: APISpec) -> str | None:
    if spec.provider != PROVIDER:
        return None
    method = spec.name.rsplit(".", 1)[-1]
    if CREDENTIAL_METHODS.match(method):
        return "write"
    return None


@hookimpl
def sensitive_operations() -> list[str]:
    return list(SENSITIVE_READS)
