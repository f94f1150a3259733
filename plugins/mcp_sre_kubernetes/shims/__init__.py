"""The guest ``kubernetes`` package, contributed to the sandbox through ``sandbox_shims``.

Guest sources live in ``guest/kubernetes/`` (relative imports only). Two modules are built
here from the Kubernetes swagger snapshots: ``kubernetes.client._generated`` (the few parameter
names whose acronyms camelCase cannot restore) and ``kubernetes.client._routes`` (the path
templates behind ``ApiClient.call_api``, imported only by generic path calls). Method names need
no table: the guest derives operation ids from them.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from mcp_sre import hookimpl
from mcp_sre_kubernetes.snapshot import default_swagger_path

__all__ = ["GUEST_ROOT", "build_generated", "guest_modules", "sandbox_shims", "spec_documents"]

GENERATED = "kubernetes.client._generated"
ROUTES = "kubernetes.client._routes"

GUEST_ROOT = Path(__file__).resolve().parent / "guest"
_PLUGIN_ROOT = Path(__file__).resolve().parents[1]
_HTTP = ("get", "put", "post", "delete", "options", "head", "patch")


def _service(tag: str) -> str:
    """The service name the swagger parser gives a tag (``rbacAuthorization_v1`` ->
    ``rbacauthorization_v1``)."""
    return re.sub(r"[^a-z0-9]+", "_", tag.lower()).strip("_")


def _snake(name: str) -> str:
    """The client generator's snake_case (``insecureSkipTLSVerifyBackend`` ->
    ``insecure_skip_tls_verify_backend``)."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z\d])([A-Z])", r"\1_\2", name).lower()


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def spec_documents() -> list[dict[str, Any]]:
    """The swagger documents the shim is built from: the shipped snapshot and the generic
    custom-object API."""
    docs = []
    for path in (default_swagger_path(),
                 _PLUGIN_ROOT / "custom_objects_swagger.json"):
        if path.is_file():
            docs.append(json.loads(path.read_bytes()))
    return docs


def build_generated(docs: list[dict[str, Any]]) -> dict[str, str]:
    """Sources of the generated guest modules for these swagger documents."""
    routes: list[str] = []
    params: dict[str, str] = {}
    for doc in docs:
        table = doc.get("parameters") or {}
        for template, item in sorted((doc.get("paths") or {}).items()):
            if not isinstance(item, dict) or re.search(r"\s", template):
                continue
            shared = item.get("parameters") or []
            ops = []
            for method in _HTTP:
                op = item.get(method)
                if not isinstance(op, dict) or not op.get("operationId"):
                    continue
                tag = (op.get("tags") or ["default"])[0]
                ops.append(f"{method.upper()}:{_service(tag)}:{op['operationId']}")
                for param in [*shared, *(op.get("parameters") or [])]:
                    if "$ref" in param:
                        param = table.get(str(param["$ref"]).rsplit("/", 1)[-1], {})
                    name = str(param.get("name", ""))
                    if name and _camel(_snake(name)) != name:
                        params[_camel(_snake(name)).replace("_", "").lower()] = name
            if ops:
                routes.append(f"{template} {' '.join(ops)}")
    head = '"""Generated from the Kubernetes swagger by mcp_sre_kubernetes.shims."""\n\n'
    return {
        GENERATED: f"{head}PARAM_NAMES = {json.dumps(dict(sorted(params.items())), indent=1)}\n",
        ROUTES: f"{head}# template METHOD:service:operationId ...\n"
                f"ROUTES = {json.dumps(chr(10).join(routes))}\n",
    }


def guest_modules(generated: dict[str, str] | None = None) -> dict[str, str]:
    """``{dotted module name: source}``; a package's source is its ``__init__.py``."""
    modules: dict[str, str] = {}
    for path in sorted((GUEST_ROOT / "kubernetes").rglob("*.py")):
        rel = path.relative_to(GUEST_ROOT).with_suffix("")
        parts = list(rel.parts[:-1]) if rel.name == "__init__" else list(rel.parts)
        modules[".".join(parts)] = path.read_text(encoding="utf-8")
    modules.update(generated or {})
    return modules


@functools.lru_cache(maxsize=1)
def _cached_modules() -> tuple[tuple[str, str], ...]:
    return tuple(guest_modules(build_generated(spec_documents())).items())


@hookimpl
def sandbox_shims() -> dict[str, str]:
    return dict(_cached_modules())
