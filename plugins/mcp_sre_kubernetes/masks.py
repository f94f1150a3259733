"""Kubernetes Secrets in answers: ``data`` and ``stringData`` values are masked wherever a
Secret appears (a read, a list, a watch event, a write's echo, a custom call), together with
the ``kubectl.kubernetes.io/last-applied-configuration`` annotation that repeats them.

The policy refuses the Secret verbs by name; this is the response-side layer that holds
whatever the write setting and whatever path the object took (e.g. a ``patch`` echo).
"""

from __future__ import annotations

from typing import Any

from mcp_sre import hookimpl
from mcp_sre.sandbox.masking import MASK
from mcp_sre.specs.model import APISpec
from mcp_sre_kubernetes.classify import PROVIDER

__all__ = ["kubernetes_response_mask", "mask_secret_objects", "response_masks"]

_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_MAX_DEPTH = 100


def _mask_secret(obj: dict[str, Any]) -> None:
    for field in ("data", "stringData"):
        value = obj.get(field)
        if isinstance(value, dict):
            obj[field] = dict.fromkeys(value, MASK)
        elif value:
            obj[field] = MASK
    meta = obj.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if isinstance(annotations, dict) and _LAST_APPLIED in annotations:
        annotations[_LAST_APPLIED] = MASK


def mask_secret_objects(data: Any, secret: bool = False, depth: int = 0) -> Any:
    """Mask (in place) every Secret in ``data``. ``secret`` says the caller knows ``data`` is a
    Secret or a list of Secrets (items of a list carry no ``kind``)."""
    if depth > _MAX_DEPTH:
        return MASK
    if isinstance(data, dict):
        kind = data.get("kind")
        if secret or kind == "Secret":
            _mask_secret(data)
        items_are_secrets = kind == "SecretList" or (secret and isinstance(data.get("items"), list))
        for key, value in data.items():
            if isinstance(value, dict | list):
                mask_secret_objects(value, items_are_secrets and key == "items", depth + 1)
    elif isinstance(data, list):
        for item in data:
            mask_secret_objects(item, secret, depth + 1)
    return data


def kubernetes_response_mask(spec: APISpec, data: Any) -> Any:
    if spec.provider != PROVIDER:
        return None
    returns = spec.return_type.rsplit(".", 1)[-1]
    return mask_secret_objects(data, secret=returns in ("V1Secret", "V1SecretList", "Secret",
                                                        "SecretList"))


@hookimpl
def response_masks() -> list[Any]:
    return [kubernetes_response_mask]
