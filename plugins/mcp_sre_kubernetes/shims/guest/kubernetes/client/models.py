"""``kubernetes.client.models``: ``from kubernetes.client.models import V1DeleteOptions``."""

from . import __getattr__ as _client_getattr

__all__ = []


def __getattr__(name):
    return _client_getattr(name)
