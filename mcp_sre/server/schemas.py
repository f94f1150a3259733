"""Schema validation compiled once per schema.

``jsonschema.validate`` re-checks the schema against its metaschema and builds a validator on
every call (about 28 ms for our larger schemas). :func:`validate` does the same checks (same
errors, best match first) with each schema checked and compiled once; the server uses it for
the arguments of run-time tools on every call.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

__all__ = ["validate"]


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
