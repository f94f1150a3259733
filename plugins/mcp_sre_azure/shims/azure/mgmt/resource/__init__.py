"""azure.mgmt.resource for the mcp-sre sandbox: ``ResourceManagementClient`` and
``SubscriptionClient``."""

from azure.mgmt._sre_client import client_class

__all__ = ["ResourceManagementClient", "SubscriptionClient"]

ResourceManagementClient = client_class("ResourceManagementClient", "resources")
SubscriptionClient = client_class("SubscriptionClient", "resources")
