"""Run allowed AWS operations with real boto3 and the user's own AWS configuration.

Only the host runs this, after the sandbox policy allowed the call. Credentials, profile,
region and endpoint come from the standard AWS environment (``AWS_PROFILE``, ``AWS_REGION``,
``AWS_ENDPOINT_URL``, shared config files) or from the host-side run context
(``{"region": ..., "profile": ..., "endpoint_url": ...}``); the guest may only pick a region.

Answers are made JSON-safe (datetimes as ISO strings, bytes as base64, ``ResponseMetadata``
dropped), and secret material is masked (:func:`mask_secrets`): botocore's ``sensitive`` output
members, Lambda environment variables and code URLs, user data, container environment values,
and every field the core's name layer catches. The same mask is this plugin's
``response_masks`` entry, so the bridge applies it whatever the write setting.
"""

from __future__ import annotations

import os
import re
import threading
from typing import Any

from mcp_sre import hookimpl
from mcp_sre.sandbox.bridge import jsonable
from mcp_sre.sandbox.masking import MASK, mask_by_name
from mcp_sre.sandbox.models import ProviderCallError
from mcp_sre.specs.model import APISpec
from mcp_sre_aws.sensitive import mask_sensitive_shapes, secret_reason

__all__ = ["EXTRA_SENSITIVE", "MASK", "aws_response_mask", "execute_operation",
           "executor_response_masks", "executor_secret_operation", "executor_sensitive_operations",
           "mask_secrets"]

MAX_STREAM_BYTES = 1 << 20
# Reads that mint credentials or reveal secret material, on top of classify.SENSITIVE_READS
# (several are also classified as writes; refusing them twice costs nothing).
EXTRA_SENSITIVE = (
    "aws/kms/Decrypt",
    "aws/kms/GenerateDataKey*",
    "aws/kms/ReEncrypt",
    "aws/iam/GetCredentialReport",
    "aws/sts/GetSessionToken",
    "aws/sts/GetFederationToken",
    "aws/sts/AssumeRole*",
    "aws/ecr/GetAuthorizationToken",
    "aws/ecr-public/GetAuthorizationToken",
    "aws/codeartifact/GetAuthorizationToken",
    "aws/lightsail/GetInstanceAccessDetails",
    "aws/lightsail/DownloadDefaultKeyPair",
    "aws/redshift/GetClusterCredentials*",
    "aws/redshift-serverless/GetCredentials",
    "aws/sso/GetRoleCredentials",
    "aws/cognito-identity/GetCredentialsForIdentity",
    "aws/cognito-identity/GetOpenIdToken*",
)

_lock = threading.Lock()
_sessions: dict[str | None, Any] = {}
_clients: dict[tuple[Any, ...], Any] = {}


def _client(service: str, context: dict[str, Any]) -> Any:
    import boto3
    from botocore.config import Config

    profile = context.get("profile") or None
    region = context.get("region") or None
    endpoint = context.get("endpoint_url") or None
    key = (service, profile, region, endpoint, os.environ.get("AWS_ENDPOINT_URL"),
           os.environ.get("AWS_ACCESS_KEY_ID"))
    with _lock:  # boto3 sessions are not thread-safe to create; clients are safe to share
        if key not in _clients:
            if profile not in _sessions:
                _sessions[profile] = boto3.session.Session(profile_name=profile)
            session = _sessions[profile]
            config = Config(connect_timeout=5, read_timeout=30,
                            retries={"max_attempts": 3, "mode": "standard"})
            _clients[key] = session.client(service, region_name=region, endpoint_url=endpoint,
                                           config=config)
        return _clients[key]


def _read_streams(data: dict[str, Any]) -> dict[str, Any]:
    """Read streaming bodies (S3 GetObject...) up to 1 MiB; text stays text."""
    from botocore.eventstream import EventStream
    from botocore.response import StreamingBody

    for key, value in list(data.items()):
        if isinstance(value, StreamingBody):
            raw = value.read(MAX_STREAM_BYTES + 1)
            value.close()
            truncated = len(raw) > MAX_STREAM_BYTES
            raw = raw[:MAX_STREAM_BYTES]
            try:
                data[key] = raw.decode("utf-8")
            except UnicodeDecodeError:
                data[key] = jsonable(raw)
            if truncated:
                data[f"{key}Truncated"] = True
        elif isinstance(value, EventStream):
            raise ProviderCallError("event-stream responses are not supported in the sandbox",
                                    kind="validation_error")
    return data


_AWS_NAMES = re.compile(r"customergatewayconfiguration$")


def _aws_name(key: Any) -> bool:
    return bool(_AWS_NAMES.search(re.sub(r"[_\-\s]", "", str(key)).lower()))


def _mask_aws_fields(service: str, data: Any) -> None:
    """What names alone do not say: Lambda environment values and code URLs, EC2 user data
    held as ``{"Value": ...}``, ECS/Batch container environment values, VPN configurations."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "Environment" and service == "lambda" and isinstance(value, dict) and \
                    isinstance(value.get("Variables"), dict):
                value["Variables"] = dict.fromkeys(value["Variables"], MASK)
            elif key in ("Code", "Content") and service == "lambda" and \
                    isinstance(value, dict) and "Location" in value:
                value["Location"] = MASK  # a presigned download URL
            elif key == "value" and service == "apigateway" and isinstance(value, str):
                data[key] = MASK  # API key values (usage plan keys, API keys)
            elif key == "UserData" and value:
                data[key] = {"Value": MASK} if isinstance(value, dict) else MASK
            elif isinstance(value, str) and value and _aws_name(key):
                data[key] = MASK
            elif key.lower() == "environment" and isinstance(value, list):
                for pair in value:  # ECS/Batch style [{"name": ..., "value": ...}]
                    if isinstance(pair, dict):
                        for field in ("value", "Value"):
                            if field in pair:
                                pair[field] = MASK
            else:
                _mask_aws_fields(service, value)
    elif isinstance(data, list):
        for item in data:
            _mask_aws_fields(service, item)


def mask_secrets(service: str, data: Any, operation: str | None = None) -> Any:
    """Mask secret-bearing fields of an answer (in place; returns ``data``): botocore's
    ``sensitive`` output members when ``operation`` is given, AWS-specific fields, then the
    core's name layer."""
    if operation is not None:
        data = mask_sensitive_shapes(service, operation, data)
    _mask_aws_fields(service, data)
    return mask_by_name(data)


def aws_response_mask(spec: APISpec, data: Any) -> Any:
    """The ``response_masks`` entry: every AWS answer, whichever path it took to the host."""
    if spec.provider != "aws":
        return None
    return mask_secrets(spec.service, data, spec.name)


@hookimpl
def execute_operation(spec: APISpec, params: dict[str, Any], context: dict[str, Any]) -> Any:
    if spec.provider != "aws":
        return None
    from botocore import xform_name
    from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

    try:
        client = _client(spec.service, context)
    except BotoCoreError as exc:
        raise ProviderCallError(f"cannot create the {spec.service} client: {exc}",
                                code=type(exc).__name__,
                                hint="check AWS_REGION / AWS_PROFILE on the host") from exc
    except Exception as exc:  # unknown service name in this botocore
        raise ProviderCallError(f"cannot create the {spec.service} client: {exc}",
                                code=type(exc).__name__) from exc
    method = getattr(client, xform_name(spec.name), None)
    if method is None:
        raise ProviderCallError(f"the installed botocore has no {spec.service}.{spec.name}",
                                hint="upgrade botocore, or the spec is newer than the SDK")
    try:
        response = method(**params)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        raise ProviderCallError(str(error.get("Message") or exc), code=str(error.get("Code", "")),
                                status=status) from exc
    except ParamValidationError as exc:
        raise ProviderCallError(str(exc), code="ParamValidationError",
                                kind="validation_error") from exc
    except BotoCoreError as exc:
        raise ProviderCallError(str(exc), code=type(exc).__name__) from exc
    if isinstance(response, dict):
        response.pop("ResponseMetadata", None)
        response = _read_streams(response)
    return mask_secrets(spec.service, jsonable(response), spec.name)


@hookimpl(specname="sensitive_operations")
def executor_sensitive_operations() -> list[str]:
    return list(EXTRA_SENSITIVE)


@hookimpl(specname="response_masks")
def executor_response_masks() -> list[Any]:
    return [aws_response_mask]


@hookimpl(specname="secret_operation")
def executor_secret_operation(spec: APISpec) -> str | None:
    """Operations whose answer botocore marks as a secret are refused whatever the write
    setting (the class of AssumeRoot, GetWebIdentityToken, GetAccessToken, CreateToken...)."""
    if spec.provider != "aws":
        return None
    return secret_reason(spec.service, spec.name)
