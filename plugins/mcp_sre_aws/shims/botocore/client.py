"""The shim's client: every method is a bridged call to ``aws/<service>/<method>``."""

import sre
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError, error_class
from botocore.paginate import Paginator

__all__ = ["BaseClient", "Config"]


class _Meta:
    def __init__(self, service, region):
        self.service_name = service
        self.region_name = region
        self.endpoint_url = None
        self.partition = "aws"


class _Exceptions:
    """``client.exceptions.NoSuchBucket`` and friends: ClientError subclasses by error code."""

    ClientError = ClientError

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return error_class(name)


class BaseClient:
    def __init__(self, service_name, region_name=None):
        self.meta = _Meta(service_name, region_name)
        self.exceptions = _Exceptions()
        self._described = {}

    def __repr__(self):
        return "<botocore.client." + self.meta.service_name + " (mcp-sre sandbox)>"

    def _operation_id(self, method):
        return "aws/" + self.meta.service_name + "/" + method

    def _describe(self, method):
        if method not in self._described:
            try:
                self._described[method] = sre.describe(self._operation_id(method))
            except sre.CallError as exc:
                raise self._translate(exc, method) from None
        return self._described[method]

    def _translate(self, exc, method):
        if isinstance(exc, sre.ParamValidationError):
            return ParamValidationError(report=exc.message)
        if isinstance(exc, sre.ProviderError):
            operation = str(exc.details.get("operation") or method).rsplit("/", 1)[-1]
            response = {"Error": {"Code": exc.code or "Unknown", "Message": exc.message},
                        "ResponseMetadata": {"HTTPStatusCode": exc.status}}
            return error_class(exc.code)(response, operation)
        if isinstance(exc, sre.OperationNotFound):
            return AttributeError("'" + self.meta.service_name + "' object has no attribute '"
                                  + method + "' (" + exc.message + ")")
        return exc  # PolicyDenied, CallTimeout...: not ClientErrors, on purpose

    def _call(self, method, params):
        try:
            return sre.request(self._operation_id(method), params, region=self.meta.region_name)
        except sre.CallError as exc:
            raise self._translate(exc, method) from None

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)

        def method(**kwargs):
            return self._call(name, kwargs)

        method.__name__ = name
        return method

    def can_paginate(self, operation_name):
        return bool(self._describe(operation_name).get("pagination"))

    def get_paginator(self, operation_name):
        return Paginator(self, operation_name)

    def get_waiter(self, waiter_name):
        raise NotImplementedError("waiters are not available in the sandbox; poll with a loop")

    def generate_presigned_url(self, *args, **kwargs):
        raise NotImplementedError("presigned URLs are credentials; not available in the sandbox")

    def close(self):
        return None
