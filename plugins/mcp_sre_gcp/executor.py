"""Run allowed Google Cloud operations over HTTPS with the host's Google credentials.

Only the host runs this, after the sandbox policy allowed the call. The credential chain is
Google's: an explicit access token (``GOOGLE_OAUTH_ACCESS_TOKEN``, as Terraform and other tools
accept) first, then Application Default Credentials through google-auth
(``GOOGLE_APPLICATION_CREDENTIALS``, the gcloud ADC file
``~/.config/gcloud/application_default_credentials.json``, or the metadata server on GCP),
asked for the read-only ``cloud-platform.read-only`` scope. The endpoint can be pointed at a
local mock server (context ``endpoint_url`` or ``MCP_SRE_GCP_ENDPOINT``); the guest never sees
a token. An empty ``project`` (what the ``google.auth.default()`` shim returns when the run got
no ``project`` input) is the host's project: context ``project``, ``GOOGLE_CLOUD_PROJECT``,
``CLOUDSDK_CORE_PROJECT``, ``GCLOUD_PROJECT``, or the ADC file's own. Throttled answers (429/503) are retried with back-off; secret-looking fields and VM
startup scripts in answers are masked.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from mcp_sre import hookimpl
from mcp_sre.sandbox.models import ProviderCallError
from mcp_sre.sandbox.rest import build_request, mask_secrets, override_endpoint, send
from mcp_sre.specs.model import APISpec

__all__ = ["ENDPOINT_ENV", "PROJECT_ENV", "SCOPES", "TOKEN_ENV", "access_token",
           "default_project", "describe_error", "execute_operation", "with_default_project"]

PROVIDER = "gcp"
TOKEN_ENV = "GOOGLE_OAUTH_ACCESS_TOKEN"
ENDPOINT_ENV = "MCP_SRE_GCP_ENDPOINT"
SCOPES = ("https://www.googleapis.com/auth/cloud-platform.read-only",)
# Metadata keys whose values are scripts or cloud-init data (may hold secrets).
_SCRIPT_KEYS = frozenset({"startup-script", "shutdown-script", "user-data",
                          "windows-startup-script-ps1", "sysprep-specialize-script-ps1",
                          "ssh-keys"})
NO_CREDENTIALS_HINT = (
    "set GOOGLE_APPLICATION_CREDENTIALS to a service-account or ADC JSON file, run "
    "`gcloud auth application-default login` (writes "
    "~/.config/gcloud/application_default_credentials.json), set GOOGLE_OAUTH_ACCESS_TOKEN, "
    "or run on Google Cloud with a service account")

_lock = threading.Lock()
_credentials: dict[str, Any] = {}


def access_token() -> str:
    """A bearer token from the host's Google credential chain (cached, refreshed when due)."""
    explicit = os.environ.get(TOKEN_ENV, "").strip()
    if explicit:
        return explicit
    try:
        import google.auth
        import google.auth.exceptions
        from google.auth.transport.requests import Request
    except ImportError as exc:
        raise ProviderCallError("google-auth is not installed on the host",
                                code="NoCredentials",
                                hint="pip install google-auth, or set " + TOKEN_ENV) from exc
    with _lock:
        try:
            creds = _credentials.get("adc")
            if creds is None:
                creds, _project = google.auth.default(scopes=list(SCOPES))
                _credentials["adc"] = creds
            if not creds.valid:
                creds.refresh(Request())
        except google.auth.exceptions.DefaultCredentialsError as exc:
            raise ProviderCallError(f"no Google credentials found: {exc}",
                                    code="NoCredentials", hint=NO_CREDENTIALS_HINT) from exc
        except google.auth.exceptions.TransportError as exc:
            raise ProviderCallError(f"the Google credentials could not be refreshed: the token "
                                    f"endpoint did not answer ({exc})", code="ExpiredCredentials",
                                    hint="check the network, or set " + TOKEN_ENV) from exc
        except google.auth.exceptions.RefreshError as exc:
            _credentials.pop("adc", None)
            raise ProviderCallError(f"the Google credentials could not be refreshed (expired "
                                    f"or revoked): {exc}", code="ExpiredCredentials",
                                    status=401, hint=NO_CREDENTIALS_HINT) from exc
        return str(creds.token)


def describe_error(payload: Any) -> tuple[str, str]:
    """Google's ``{"error": {"code": 403, "status": "PERMISSION_DENIED", "message": ...}}``."""
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return "", ""
    return str(error.get("status") or error.get("code") or ""), str(error.get("message") or "")


def _mask_metadata(data: Any) -> Any:
    """VM metadata ``items`` whose key is a startup script or cloud-init data."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "metadata" and isinstance(value, dict) and \
                    isinstance(value.get("items"), list):
                for item in value["items"]:
                    if isinstance(item, dict) and item.get("key") in _SCRIPT_KEYS and \
                            "value" in item:
                        item["value"] = "***redacted by mcp-sre***"
            else:
                _mask_metadata(value)
    elif isinstance(data, list):
        for item in data:
            _mask_metadata(item)
    return data


def _hint(status: int | None) -> str | None:
    if status == 404:
        return "check the project id (GOOGLE_CLOUD_PROJECT), zone or region in the parameters"
    if status in (401, 403):
        return "the host's Google identity lacks permission; " + NO_CREDENTIALS_HINT
    return None


PROJECT_ENV = ("GOOGLE_CLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT", "GCLOUD_PROJECT")
_PROJECT_PARAMS = ("project", "projectId")


def default_project(context: dict[str, Any]) -> str:
    """The host's project: the run context, the usual variables, else ADC's own project."""
    found = str(context.get("project") or "").strip() or next(
        (os.environ[v].strip() for v in PROJECT_ENV if os.environ.get(v, "").strip()), "")
    if not found and not os.environ.get(TOKEN_ENV):
        try:
            import google.auth

            found = google.auth.default(scopes=list(SCOPES))[1] or ""
        except Exception:  # no ADC, or google-auth missing: say what to set below
            found = ""
    if not found:
        raise ProviderCallError("no Google Cloud project given and none configured on the host",
                                code="NoProject", kind="validation_error",
                                hint="pass project=..., or set " + " / ".join(PROJECT_ENV))
    return found


def with_default_project(spec: APISpec, params: dict[str, Any],
                         context: dict[str, Any]) -> dict[str, Any]:
    """An empty ``project`` path parameter (what ``google.auth.default()`` hands sandboxed
    code) and a ``projects/`` name with no id are filled with the host's project."""
    out = dict(params)
    for name in _PROJECT_PARAMS:
        if "{" + name + "}" in spec.endpoint and out.get(name) == "":
            out[name] = default_project(context)
    for name, value in params.items():
        if isinstance(value, str) and "{+" + name + "}" in spec.endpoint and \
                (value == "projects/" or value.startswith("projects//")):
            out[name] = "projects/" + default_project(context) + value[len("projects/"):]
    return out


@hookimpl
def execute_operation(spec: APISpec, params: dict[str, Any], context: dict[str, Any]) -> Any:
    if spec.provider != PROVIDER:
        return None
    request = build_request(spec, with_default_project(spec, params, context))
    request.url = override_endpoint(request.url, context.get("endpoint_url")
                                    or os.environ.get(ENDPOINT_ENV))
    try:
        data = send(spec, request, token=access_token,
                    timeout_s=float(context.get("timeout_s") or 30.0),
                    describe_error=describe_error)
    except ProviderCallError as exc:
        if exc.hint is None and _hint(exc.status):
            raise ProviderCallError(exc.message, code=exc.code, status=exc.status,
                                    kind=exc.kind, hint=_hint(exc.status)) from exc
        raise
    return _mask_metadata(mask_secrets(data))
