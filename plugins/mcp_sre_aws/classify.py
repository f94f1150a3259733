"""AWS exceptions to the botocore naming convention, and reads that are refused by default.

The botocore format classifies by verb (Describe/Get/List... read, everything else write).
The verb lies for a few operations: some ``Get*`` mint credentials or change state, a few
``Check``/``Validate``/``Preview`` calls act, and a few ``Test``/``Evaluate``/``Retrieve``
calls only compute. Being wrong towards "write" costs a refusal; being wrong towards "read"
could let generated code act on a cloud, so every entry here was read in the AWS docs and
anything unsure stays a write.
"""

from __future__ import annotations

import re

from mcp_sre import hookimpl
from mcp_sre.specs.model import APISpec

__all__ = [
    "CREDENTIAL_GET",
    "READ_OVERRIDES",
    "SENSITIVE_READS",
    "WRITE_OVERRIDES",
    "classify_aws",
    "classify_operation",
    "sensitive_operations",
]

# ``Get*`` that issue tokens, credentials or signed URLs: they create a grant, so they write.
CREDENTIAL_GET = re.compile(
    r"^Get\w*(Token|Tokens|Credentials?)((For|With|From)\w+)?$"
    r"|^Get\w*(PresignedU[Rr][Ll]|EmbedUrl|StreamingSessionURL|LoginUrl|AuthenticationUrl)$"
)

WRITE_OVERRIDES = frozenset({
    "agent-registry-control:ValidatePublisher",  # restarts domain verification
    "apigatewayv2:PreviewPortal",  # creates a portal preview
    "cognito-identity:GetId",  # creates an identity on first call
    "devops-agent:ValidateAwsAssociations",  # sets association status
    "endusermessaging:ValidateNotifyCodeVerification",  # consumes a passcode attempt
    "kms:GetParametersForImport",  # issues an import token
    "license-manager:CheckInLicense",  # "Check" + "In": returns a license
    "ssm:GetDeployablePatchSnapshotForInstance",  # creates a patch snapshot
})

READ_OVERRIDES = frozenset({
    "appsync:EvaluateCode",
    "appsync:EvaluateMappingTemplate",
    "codecommit:EvaluatePullRequestApprovalRules",
    "datapipeline:EvaluateExpression",
    "elasticbeanstalk:RetrieveEnvironmentInfo",
    "events:TestEventPattern",
    "gamelift:ResolveAlias",
    "iot:TestAuthorization",
    "logs:TestMetricFilter",
    "logs:TestTransformer",
    "macie2:TestCustomDataIdentifier",
    "rds:DownloadDBLogFilePortion",
    "route53:TestDNSAnswer",
    "servicediscovery:DiscoverInstances",
    "servicediscovery:DiscoverInstancesRevision",
    "ses:TestRenderTemplate",
    "sesv2:TestRenderEmailTemplate",
    "sts:DecodeAuthorizationMessage",
})

# Reads whose result is a secret (plaintext values, passwords, keys): refused by the host
# policy unless the user allows them explicitly.
SENSITIVE_READS = (
    "aws/apigateway/GetApiKey",
    "aws/apigateway/GetApiKeys",
    "aws/appsync/ListApiKeys",
    "aws/cognito-idp/DescribeUserPoolClient",
    "aws/cognito-idp/ListUserPoolClientSecrets",
    "aws/ec2/GetPasswordData",
    "aws/glue/GetConnection",
    "aws/glue/GetConnections",
    "aws/lightsail/GetRelationalDatabaseMasterUserPassword",
    "aws/pca-connector-scep/GetChallengePassword",
    "aws/secretsmanager/BatchGetSecretValue",
    "aws/secretsmanager/GetSecretValue",
    "aws/ssm/GetParameter",
    "aws/ssm/GetParameterHistory",
    "aws/ssm/GetParameters",
    "aws/ssm/GetParametersByPath",
    "aws/storagegateway/DescribeChapCredentials",
    "aws/wafv2/GetDecryptedAPIKey",
)


def classify_aws(service: str, operation: str) -> str | None:
    """``"read"``/``"write"`` where AWS knows better than the verb, else ``None``."""
    key = f"{service}:{operation}"
    if key in WRITE_OVERRIDES or CREDENTIAL_GET.match(operation):
        return "write"
    if key in READ_OVERRIDES:
        return "read"
    return None


@hookimpl
def classify_operation(spec: APISpec) -> str | None:
    if spec.provider != "aws":
        return None
    return classify_aws(spec.service, spec.name)


@hookimpl
def sensitive_operations() -> list[str]:
    return list(SENSITIVE_READS)
