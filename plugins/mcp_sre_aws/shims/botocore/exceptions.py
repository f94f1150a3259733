"""The botocore exceptions that ordinary boto3 code catches, with the same shapes."""


class BotoCoreError(Exception):
    fmt = "An unspecified error occurred"

    def __init__(self, **kwargs):
        try:
            msg = self.fmt.format(**kwargs)
        except (KeyError, IndexError):
            msg = self.fmt
        super().__init__(msg)
        self.kwargs = kwargs


class ParamValidationError(BotoCoreError):
    fmt = "Parameter validation failed:\n{report}"


class NoCredentialsError(BotoCoreError):
    fmt = "Unable to locate credentials"


class NoRegionError(BotoCoreError):
    fmt = "You must specify a region."


class EndpointConnectionError(BotoCoreError):
    fmt = 'Could not connect to the endpoint URL: "{endpoint_url}"'


class ReadTimeoutError(BotoCoreError):
    fmt = 'Read timeout on endpoint URL: "{endpoint_url}"'


class ConnectTimeoutError(BotoCoreError):
    fmt = 'Connect timeout on endpoint URL: "{endpoint_url}"'


class PaginationError(BotoCoreError):
    fmt = "Error during pagination: {message}"


class OperationNotPageableError(BotoCoreError):
    fmt = "Operation cannot be paginated: {operation_name}"


class WaiterError(BotoCoreError):
    fmt = "Waiter {name} failed: {reason}"


class UnknownServiceError(BotoCoreError):
    fmt = "Unknown service: '{service_name}'."


class ClientError(Exception):
    """An error response from AWS: ``e.response["Error"]["Code"]``, ``e.operation_name``."""

    MSG_TEMPLATE = ("An error occurred ({error_code}) when calling the {operation_name} "
                    "operation{retry_info}: {error_message}")

    def __init__(self, error_response, operation_name):
        error = error_response.get("Error", {})
        msg = self.MSG_TEMPLATE.format(
            error_code=error.get("Code", "Unknown"),
            error_message=error.get("Message", "Unknown"),
            operation_name=operation_name,
            retry_info="",
        )
        super().__init__(msg)
        self.response = error_response
        self.operation_name = operation_name


_MODELED = {}


def error_class(code):
    """The ClientError subclass for an error code (``client.exceptions.NoSuchBucket``)."""
    if not code or not code.replace(".", "_").isidentifier():
        return ClientError
    if code not in _MODELED:
        _MODELED[code] = type(code.replace(".", "_"), (ClientError,), {})
    return _MODELED[code]
