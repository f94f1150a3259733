"""boto3.session.Session for the sandbox: the host owns credentials, profiles and endpoints."""

from botocore.client import BaseClient

_HOST_OWNED = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token",
               "botocore_session", "profile_name", "endpoint_url", "aws_account_id")


def _refuse_host_settings(kwargs):
    given = [name for name in _HOST_OWNED if kwargs.get(name)]
    if given:
        raise ValueError(", ".join(given) + " cannot be set inside the mcp-sre sandbox: the "
                         "host uses its own AWS configuration (AWS_PROFILE, AWS_ENDPOINT_URL); "
                         "only region_name may be chosen")


class Session:
    def __init__(self, aws_access_key_id=None, aws_secret_access_key=None,
                 aws_session_token=None, region_name=None, botocore_session=None,
                 profile_name=None, aws_account_id=None):
        _refuse_host_settings(dict(
            aws_access_key_id=aws_access_key_id, aws_secret_access_key=aws_secret_access_key,
            aws_session_token=aws_session_token, botocore_session=botocore_session,
            profile_name=profile_name, aws_account_id=aws_account_id))
        self._region = region_name

    @property
    def region_name(self):
        return self._region

    @property
    def profile_name(self):
        return "default"

    def client(self, service_name, region_name=None, api_version=None, use_ssl=True,
               verify=None, endpoint_url=None, aws_access_key_id=None,
               aws_secret_access_key=None, aws_session_token=None, config=None,
               aws_account_id=None):
        _refuse_host_settings(dict(
            endpoint_url=endpoint_url, aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key, aws_session_token=aws_session_token,
            aws_account_id=aws_account_id))
        region = region_name or getattr(config, "region_name", None) or self._region
        return BaseClient(service_name, region)

    def resource(self, *args, **kwargs):
        raise NotImplementedError("boto3 resources are not available in the sandbox; "
                                  "use boto3.client(...)")

    def get_credentials(self):
        raise NotImplementedError("credentials stay on the host")
