"""azure.identity for the mcp-sre sandbox: credentials never enter the sandbox; the host signs
every bridged call with its own DefaultAzureCredential."""

__all__ = ["AzureCliCredential", "ChainedTokenCredential", "ClientSecretCredential",
           "DefaultAzureCredential", "EnvironmentCredential", "ManagedIdentityCredential",
           "WorkloadIdentityCredential"]


class _HostCredential:
    """A stand-in handed to management clients: it holds no secret and issues no token."""

    def __init__(self, *args, **kwargs):
        pass

    def get_token(self, *scopes, **kwargs):
        raise NotImplementedError("tokens stay on the host; pass this credential to a client")

    def close(self):
        return None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __repr__(self):
        return "<host Azure credential (mcp-sre sandbox)>"


DefaultAzureCredential = _HostCredential
AzureCliCredential = _HostCredential
ChainedTokenCredential = _HostCredential
ClientSecretCredential = _HostCredential
EnvironmentCredential = _HostCredential
ManagedIdentityCredential = _HostCredential
WorkloadIdentityCredential = _HostCredential
