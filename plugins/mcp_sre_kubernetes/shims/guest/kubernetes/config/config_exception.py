"""``kubernetes.config.config_exception``."""

from . import ConfigException

__all__ = ["ConfigException"]
