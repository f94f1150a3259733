"""``kubernetes.client.rest``: where older code imports ``ApiException`` from."""

from .exceptions import ApiException, ApiValueError

__all__ = ["ApiException", "ApiValueError"]
