"""azure.mgmt.monitor for the mcp-sre sandbox: ``MonitorManagementClient(credential, subscription_id)``."""

from azure.mgmt._sre_client import client_class

__all__ = ["MonitorManagementClient"]

MonitorManagementClient = client_class("MonitorManagementClient", "monitor")
