"""The client's exceptions. ``ApiException`` carries the API server's status and reason; it is
also an ``sre.ProviderError``, so code may catch either."""

__all__ = ["ApiException", "ApiTypeError", "ApiValueError", "OpenApiException"]


def _provider_error_base():
    try:
        import sre
    except ImportError:  # imported on the host for tests without a bridge
        return Exception
    return sre.ProviderError


class OpenApiException(Exception):
    """Base of the client's own exceptions."""


class ApiTypeError(OpenApiException, TypeError):
    pass


class ApiValueError(OpenApiException, ValueError):
    pass


class ApiException(OpenApiException, _provider_error_base()):
    """An error status from the Kubernetes API (404 NotFound, 403 Forbidden, 410 Expired...)."""

    def __init__(self, status=None, reason=None, http_resp=None, *, body=None, data=None):
        message = reason or ""
        Exception.__init__(self, message)
        self.message = message
        self.operation = ""
        self.status = status
        self.code = reason or ""
        self.reason = reason
        self.body = body
        self.data = data
        self.headers = {}
        self.details = {}
        if http_resp is not None:
            self.status = getattr(http_resp, "status", status)
            self.reason = getattr(http_resp, "reason", reason)

    @classmethod
    def from_call_error(cls, error):
        import json

        status = getattr(error, "status", None)
        reason = getattr(error, "code", "") or "Error"
        message = getattr(error, "message", "") or str(error)
        body = json.dumps({"kind": "Status", "apiVersion": "v1", "metadata": {},
                           "status": "Failure", "message": message, "reason": reason,
                           "code": status})
        exc = cls(status=status, reason=reason, body=body)
        exc.message = message
        exc.operation = getattr(error, "operation", "")
        return exc

    def __str__(self):
        text = f"({self.status})\nReason: {self.reason}\n"
        if self.body:
            text += f"HTTP response body: {self.body}\n"
        return text
