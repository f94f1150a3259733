"""``kubernetes`` inside the sandbox: ``client``, ``config``, ``watch`` and ``stream`` with the
official client's API shape. Calls go over the bridge; the host holds the credentials."""

from . import client, config, stream, watch

__all__ = ["client", "config", "stream", "watch"]
__version__ = "37.0.0+mcp-sre-shim"
