"""volcenginesdkcore for the mcp-sre sandbox: ``Configuration``, ``ApiClient`` and the
machinery the ``volcenginesdk<service>`` shims share. Every API method is a read-only call
checked and executed by the host with the host's credentials: keys set here are ignored."""

from volcenginesdkcore import rest
from volcenginesdkcore.api_client import ApiClient
from volcenginesdkcore.configuration import Configuration
from volcenginesdkcore.rest import ApiException

__all__ = ["ApiClient", "ApiException", "Configuration", "rest"]
__version__ = "0.0.0+mcp-sre-sandbox"
