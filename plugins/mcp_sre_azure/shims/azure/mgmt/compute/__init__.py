"""azure.mgmt.compute for the mcp-sre sandbox: ``ComputeManagementClient(credential, subscription_id)``."""

from azure.mgmt._sre_client import client_class

__all__ = ["ComputeManagementClient"]

ComputeManagementClient = client_class("ComputeManagementClient", "compute")
