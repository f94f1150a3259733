"""``kubernetes.stream.ws_client`` constants some code imports."""

__all__ = ["ERROR_CHANNEL", "STDERR_CHANNEL", "STDOUT_CHANNEL"]

STDOUT_CHANNEL = 1
STDERR_CHANNEL = 2
ERROR_CHANNEL = 3
