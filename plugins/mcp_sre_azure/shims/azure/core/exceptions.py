"""The azure-core errors sandboxed code catches."""

__all__ = ["AzureError", "ClientAuthenticationError", "HttpResponseError",
           "ResourceExistsError", "ResourceNotFoundError", "ServiceRequestError"]


class AzureError(Exception):
    def __init__(self, message=None, *args, **kwargs):
        self.message = str(message or "")
        super().__init__(self.message)


class ServiceRequestError(AzureError):
    """The request could not be sent."""


class _ODataError:
    def __init__(self, code, message):
        self.code = code
        self.message = message

    def __str__(self):
        return "(" + str(self.code) + ") " + str(self.message)


class HttpResponseError(AzureError):
    """The service answered with an error (``status_code``, ``error.code``, ``reason``)."""

    def __init__(self, message=None, response=None, **kwargs):
        super().__init__(message)
        self.response = response
        self.status_code = kwargs.get("status_code")
        self.reason = kwargs.get("reason") or ""
        self.error = _ODataError(kwargs.get("error_code") or "", self.message)


class ResourceNotFoundError(HttpResponseError):
    pass


class ResourceExistsError(HttpResponseError):
    pass


class ClientAuthenticationError(HttpResponseError):
    pass


def from_call_error(exc):
    """The azure-core error for a bridged provider error."""
    status = exc.status
    cls = ResourceNotFoundError if status == 404 else ClientAuthenticationError \
        if status == 401 else ResourceExistsError if status == 409 else HttpResponseError
    return cls(exc.message, status_code=status, error_code=exc.code)
