"""Replaced when the host builds the shims: parameter names whose acronyms camelCase cannot
restore (``norm(name) -> the API's spelling``)."""

PARAM_NAMES = {}
