"""Response masking: secret material is replaced on the host before the guest sees a response.

A deny list of operation names cannot keep up with tens of thousands of operations, so every
answer of every provider goes through three layers, whatever the write setting:

1. plugin masks (the ``response_masks`` hook): what a format or a cloud knows precisely --
   botocore ``"sensitive": true`` shapes, Kubernetes Secret ``data``/``stringData``;
2. the operation's own return schema: properties marked ``format: password``, ``writeOnly``
   or ``x-sensitive`` are masked wherever their name appears in the answer;
3. names: a scalar field named like a secret (password, secret, token, private key, pre-shared
   key, credentials, user data, connection string, API key, key material), the value of a
   name/value pair whose name is one (``{"name": "DB_PASSWORD", "value": ...}``), and private
   key blocks and signed URLs (bearer credentials) inside any text. Pagination and
   idempotency tokens are kept.

A mask that raises makes the whole answer unavailable (fail closed), never the raw data.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from mcp_sre.specs.model import APISpec

if TYPE_CHECKING:
    import pluggy

__all__ = ["MASK", "ResponseMask", "ResponseMasker", "mask_by_name", "schema_secret_names",
           "secret_name"]

log = logging.getLogger("mcp_sre.sandbox")
MASK = "***redacted by mcp-sre***"
ResponseMask = Callable[[APISpec, Any], Any]
"""``mask(spec, data) -> data``: masks in place or returns a masked copy."""

_SECRET_NAME = re.compile(
    r"(password|passwd|passphrase|secret|secretkey|secretaccesskey|token|privatekey|presharedkey|"
    r"psk|credential|credentials|userdata|connectionstring|apikey|keymaterial|secretstring|"
    r"clientsecret|sharedkey|accountkey|sastoken|secretvalue)$")
_NOT_SECRET = re.compile(r"(nexttoken|continuationtoken|paginationtoken|clienttoken|pagetoken|"
                         r"idempotencytoken|nextcontinuationtoken|starttoken|nextpagetoken|"
                         r"resumptiontoken|markertoken)$")
_PAIR_NAMES = ("name", "Name", "key", "Key", "ParameterKey", "OptionName", "type", "Type")
_PAIR_VALUES = ("value", "Value", "ParameterValue")
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?"
                          r"(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)")
# a signed URL is a bearer credential: anyone holding it can download (code, layers, exports)
_SIGNED_URL = re.compile(r"[?&](x-[a-z]+-signature|x-[a-z]+-credential|signature|sig)=",
                         re.IGNORECASE)
_SCHEMA_SECRET_KEYS = ("x-sensitive", "sensitive", "x-secret")
_MAX_DEPTH = 200


def secret_name(key: Any) -> bool:
    """Whether a field name says its value is a secret (case, ``_``, ``-``, spaces ignored)."""
    name = re.sub(r"[_\-\s.]", "", str(key)).lower()
    return bool(_SECRET_NAME.search(name)) and not _NOT_SECRET.search(name)


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool) and value != ""


def mask_by_name(data: Any, extra: frozenset[str] = frozenset(), depth: int = 0) -> Any:
    """The name layer (in place; returns ``data``). ``extra`` holds exact field names that
    must be masked too (from a schema), whatever their value type."""
    if depth > _MAX_DEPTH:
        return MASK
    if isinstance(data, dict):
        secret_pair = any(isinstance(data.get(k), str) and secret_name(data[k])
                          for k in _PAIR_NAMES)
        for key, value in data.items():
            if (key in extra and value not in (None, "", [], {})) or (secret_pair and key in _PAIR_VALUES and _scalar(value)) or (_scalar(value) and secret_name(key)):
                data[key] = MASK
            elif isinstance(value, str):
                data[key] = _mask_text(value)
            elif isinstance(value, dict | list):
                data[key] = mask_by_name(value, extra, depth + 1)
    elif isinstance(data, list):
        for i, item in enumerate(data):
            if isinstance(item, str):
                data[i] = _mask_text(item)
            elif isinstance(item, dict | list):
                data[i] = mask_by_name(item, extra, depth + 1)
    elif isinstance(data, str):
        return _mask_text(data)
    return data


def _mask_text(text: str) -> str:
    """Private key blocks inside any text; a signed URL as a whole."""
    if "PRIVATE KEY-----" in text:
        text = _PRIVATE_KEY.sub(MASK, text)
    if "=" in text and "://" in text and _SIGNED_URL.search(text):
        return MASK
    return text


def _schema_secret(node: dict[str, Any]) -> bool:
    return node.get("format") == "password" or node.get("writeOnly") is True or any(
        node.get(k) is True for k in _SCHEMA_SECRET_KEYS)


def schema_secret_names(schema: Any) -> frozenset[str]:
    """Names of the properties a JSON schema marks secret (``format: password``,
    ``writeOnly: true``, ``x-sensitive: true``), at any depth."""
    found: set[str] = set()
    stack, seen = [schema], 0
    while stack and seen < 100_000:
        node = stack.pop()
        seen += 1
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        props = node.get("properties")
        if isinstance(props, dict):
            found.update(str(k) for k, v in props.items()
                         if isinstance(v, dict) and _schema_secret(v))
        stack.extend(v for v in node.values() if isinstance(v, dict | list))
    return frozenset(found)


class ResponseMasker:
    """Applies the three layers; one per sandbox (plugin masks are collected once)."""

    def __init__(self, pm: pluggy.PluginManager | None = None,
                 masks: Iterable[ResponseMask] = ()) -> None:
        self.masks: list[ResponseMask] = list(masks)
        if pm is not None and hasattr(pm.hook, "response_masks"):
            for impl in pm.hook.response_masks.get_hookimpls():
                try:
                    found = impl.function() or []
                except Exception as exc:  # a broken plugin must not disable the other masks
                    log.warning("plugin %s: response_masks failed: %s", impl.plugin_name, exc)
                    continue
                self.masks += [m for m in found if callable(m)]
        self._schema_names: dict[str, frozenset[str]] = {}

    def _names_for(self, spec: APISpec) -> frozenset[str]:
        if spec.id not in self._schema_names:
            self._schema_names[spec.id] = schema_secret_names(spec.return_schema or {})
        return self._schema_names[spec.id]

    def __call__(self, spec: APISpec, data: Any) -> Any:
        """The masked answer. Raises ``ValueError`` if a mask fails (the caller then sends an
        error, never the unmasked data)."""
        for mask in self.masks:
            try:
                result = mask(spec, data)
            except Exception as exc:
                raise ValueError(f"masking secret fields failed ({type(exc).__name__}); the "
                                 "answer is withheld") from exc
            if result is not None:
                data = result
        return mask_by_name(data, self._names_for(spec))
