"""botocore.config.Config: accepted and kept, but the host decides timeouts and retries."""


class Config:
    def __init__(self, *args, **kwargs):
        self._options = dict(kwargs)
        self.region_name = kwargs.get("region_name")

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self._options.get(name)

    def merge(self, other_config):
        merged = dict(self._options)
        merged.update(getattr(other_config, "_options", {}))
        return Config(**merged)
