"""azure.mgmt.storage for the mcp-sre sandbox: ``StorageManagementClient(credential, subscription_id)``."""

from azure.mgmt._sre_client import client_class

__all__ = ["StorageManagementClient"]

StorageManagementClient = client_class("StorageManagementClient", "storage")
