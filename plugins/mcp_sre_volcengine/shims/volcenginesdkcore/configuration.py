"""``Configuration``: only ``region`` matters in the sandbox (credentials stay on the host)."""

__all__ = ["Configuration"]


class Configuration:
    _default = None

    def __init__(self):
        self.ak = None
        self.sk = None
        self.session_token = None
        self.region = None
        self.host = None
        self.scheme = "https"
        self.client_side_validation = True
        self.debug = False

    @classmethod
    def set_default(cls, default):
        cls._default = default

    @classmethod
    def get_default_copy(cls):
        return cls._default if cls._default is not None else Configuration()
