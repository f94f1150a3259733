"""boto3 for the mcp-sre sandbox: ``boto3.client("ec2").describe_instances()`` works as usual,
each method being a read-only call checked and executed by the host."""

from boto3 import session
from boto3.session import Session

__all__ = ["Session", "client", "resource", "session", "setup_default_session"]
__version__ = "0.0.0+mcp-sre-sandbox"
DEFAULT_SESSION = None


def setup_default_session(**kwargs):
    global DEFAULT_SESSION
    DEFAULT_SESSION = Session(**kwargs)


def _get_default_session():
    if DEFAULT_SESSION is None:
        setup_default_session()
    return DEFAULT_SESSION


def client(*args, **kwargs):
    return _get_default_session().client(*args, **kwargs)


def resource(*args, **kwargs):
    return _get_default_session().resource(*args, **kwargs)
