"""Schema validation compiled once per schema.

``jsonschema.validate`` re-checks the schema against its metaschema and builds a validator on
every call: about 28 ms per tool call for our output schemas, which the ``mcp`` SDK pays on each
structured result. :func:`validate` does the same checks (same errors, best match first) with
each schema checked and compiled once. :func:`install` points the SDK's low-level server at it.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

__all__ = ["install", "validate"]


@functools.lru_cache(maxsize=1024)
def _validator(key: str) -> Any:
    schema = json.loads(key)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate(instance: Any, schema: dict[str, Any], *args: Any, **kwargs: Any) -> None:
    """Drop-in for ``jsonschema.validate``: raises ``jsonschema.ValidationError``."""
    if args or kwargs:  # unusual options: keep jsonschema's own path
        jsonschema.validate(instance, schema, *args, **kwargs)
        return
    validator = _validator(json.dumps(schema, sort_keys=True, default=str))
    error = best_match(validator.iter_errors(instance))
    if error is not None:
        raise error


class _JsonschemaWithCache:
    """The ``jsonschema`` module as the SDK sees it, with :func:`validate` swapped in."""

    ValidationError = jsonschema.ValidationError

    def __getattr__(self, name: str) -> Any:
        return getattr(jsonschema, name)

    @staticmethod
    def validate(instance: Any, schema: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        validate(instance, schema, *args, **kwargs)


def install() -> None:
    """Make the SDK's low-level server validate tool input/output with cached validators."""
    from mcp.server.lowlevel import server as lowlevel

    if getattr(lowlevel, "jsonschema", None) is jsonschema:
        lowlevel.jsonschema = _JsonschemaWithCache()  # type: ignore[assignment]
