"""``kubernetes.config`` inside the sandbox: loading a kubeconfig is accepted and does nothing,
because the host's kubeconfig (or service account) already decides where calls go and the
sandbox never holds credentials."""

__all__ = [
    "KUBE_CONFIG_DEFAULT_LOCATION",
    "ConfigException",
    "list_kube_config_contexts",
    "load_config",
    "load_incluster_config",
    "load_kube_config",
    "load_kube_config_from_dict",
    "new_client_from_config",
]

KUBE_CONFIG_DEFAULT_LOCATION = "~/.kube/config"
_CONTEXT = {"name": "host", "context": {"cluster": "host", "user": "host"}}


class ConfigException(Exception):
    pass


def load_kube_config(config_file=None, context=None, client_configuration=None,
                     persist_config=True, temp_file_path=None):
    return None


def load_kube_config_from_dict(config_dict, context=None, client_configuration=None,
                               persist_config=True, temp_file_path=None):
    return None


def load_incluster_config(client_configuration=None, try_refresh_token=True):
    return None


def load_config(**kwargs):
    return None


def list_kube_config_contexts(config_file=None):
    return [dict(_CONTEXT)], dict(_CONTEXT)


def new_client_from_config(config_file=None, context=None, persist_config=True,
                           client_configuration=None):
    from ..client import ApiClient

    return ApiClient()
