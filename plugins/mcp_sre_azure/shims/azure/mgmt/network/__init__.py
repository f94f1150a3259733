"""azure.mgmt.network for the mcp-sre sandbox: ``NetworkManagementClient(credential, subscription_id)``."""

from azure.mgmt._sre_client import client_class

__all__ = ["NetworkManagementClient"]

NetworkManagementClient = client_class("NetworkManagementClient", "network")
