"""Replaced when the host builds the shims: the API's path templates, one per line, as
``template METHOD:service:operationId ...``."""

ROUTES = ""
