"""``ApiClient``: carries the configuration's region to the bridged calls."""

from volcenginesdkcore.configuration import Configuration

__all__ = ["ApiClient"]


class ApiClient:
    def __init__(self, configuration=None, header_name=None, header_value=None, cookie=None):
        self.configuration = configuration or Configuration.get_default_copy()
        self.client_side_validation = True

    @property
    def region(self):
        return getattr(self.configuration, "region", None)

    def close(self):
        return None
