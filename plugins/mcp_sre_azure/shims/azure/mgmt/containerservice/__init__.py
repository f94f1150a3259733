"""azure.mgmt.containerservice for the mcp-sre sandbox: ``ContainerServiceClient(credential, subscription_id)``."""

from azure.mgmt._sre_client import client_class

__all__ = ["ContainerServiceClient"]

ContainerServiceClient = client_class("ContainerServiceClient", "containerservice")
