"""Azure exceptions to the HTTP-method rule, and reads refused by default.

ARM reads are GETs, plus POST actions named ``List*`` (``listKeys``, ``ListClusterUserCredentials``,
``ListAccountSAS``...) and name-availability checks. Many POST lists return secrets; they are
reads (nothing changes) but on the sensitive list, so they are refused unless a person allows
them. Calls that hand out access (``GrantAccess`` SAS URIs, key regeneration) stay writes and
are sensitive too, so allowing writes does not unlock them.
"""

from __future__ import annotations

from mcp_sre import hookimpl
from mcp_sre.specs.model import APISpec

__all__ = ["SENSITIVE_READS", "classify_operation", "sensitive_operations"]

PROVIDER = "azure"
_READ_POST_PREFIXES = ("List", "CheckNameAvailability", "CheckDnsNameAvailability")

# Globs over operation ids (azure/<service>/<Group>_<Method>), matched case-insensitively.
SENSITIVE_READS = (
    "azure/*/*_ListKeys",
    "azure/*/*_ListKeys*",
    "azure/*/*_ListAccountSAS",
    "azure/*/*_ListServiceSAS",
    "azure/*/*_ListCredentials",
    "azure/*/*_List*Credential*",
    "azure/*/*_ListSecrets",
    "azure/*/*_ListConnectionStrings",
    "azure/*/*_ListPublishingCredentials",
    "azure/*/*_ListAuthKeys",
    "azure/*/*_GetSharedKey",
    "azure/*/*_GrantAccess",
    "azure/*/*_RegenerateKey*",
    "azure/*/*_GetSecret*",
    "azure/*/*_RetrieveBootDiagnosticsData",
)


@hookimpl
def classify_operation(spec: APISpec) -> str | None:
    if spec.provider != PROVIDER or spec.method != "POST":
        return None
    method = spec.name.partition("_")[2] or spec.name
    if method.startswith(_READ_POST_PREFIXES):
        return "read"
    return None


@hookimpl
def sensitive_operations() -> list[str]:
    return list(SENSITIVE_READS)
