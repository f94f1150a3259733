"""The errors of googleapiclient that sandboxed code catches."""

import json

__all__ = ["Error", "HttpError", "UnknownApiNameOrVersion"]


class Error(Exception):
    """Base of the client library's errors."""


class UnknownApiNameOrVersion(Error):
    """``discovery.build`` was given an API the host has no spec for."""


class _Response(dict):
    def __init__(self, status, reason):
        super().__init__(status=str(status))
        self.status = status
        self.reason = reason


class HttpError(Error):
    """The API answered with an error status (``status_code``, ``reason``, ``error_details``)."""

    def __init__(self, resp, content, uri=None):
        super().__init__()
        self.resp = resp
        self.content = content if isinstance(content, bytes) else str(content).encode("utf-8")
        self.uri = uri
        self.status_code = getattr(resp, "status", None)
        self.reason = getattr(resp, "reason", "") or ""
        self.error_details = ""

    @classmethod
    def from_call_error(cls, exc, uri=None):
        reason = exc.message
        body = {"error": {"code": exc.status, "status": exc.code, "message": reason}}
        error = cls(_Response(exc.status, reason), json.dumps(body), uri)
        error.error_details = exc.code
        return error

    def _get_reason(self):
        return self.reason

    def __str__(self):
        return "<HttpError " + str(self.status_code) + ' "' + self.reason + '">'

    __repr__ = __str__
