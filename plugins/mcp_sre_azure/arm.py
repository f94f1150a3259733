"""The ``arm`` spec format: Azure Resource Manager swagger, as the azure-rest-api-specs
repository writes it.

It is Swagger 2.0 (read by the swagger plugin's builder) with two ARM habits handled here:
``$ref``s into the repository's shared ``common-types`` files are resolved from the copies this
plugin ships in ``specs/common-types/`` (never fetched one by one), and the ``api-version``
query parameter every ARM call needs is filled by the executor from the document's
``info.version`` (so it is optional for callers, as in the Azure SDKs).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mcp_sre.errors import SpecParseError
from mcp_sre.specs.jsonref import load_document
from mcp_sre.specs.model import APISpec, SourceInfo, SpecSource
from mcp_sre.specs.parse import format_parser
from mcp_sre_openapi.build import build_operations

__all__ = ["API_VERSION", "COMMON_TYPES", "FORMAT", "operation_words", "parse_arm",
           "parse_spec", "shipped_common_types"]

FORMAT = "arm"
API_VERSION = "api-version"
COMMON_TYPES = Path(__file__).resolve().parent / "specs" / "common-types"
_MARKER = "/common-types/"


def shipped_common_types(uri: str) -> Any:
    """Load a ``.../common-types/<path>`` file from the shipped copies (any base URL)."""
    at = uri.replace("\\", "/").rfind(_MARKER)
    if at < 0:
        raise SpecParseError(uri, "external $ref outside common-types is not followed",
                             hint="ARM specs here are single files plus common-types")
    path = (COMMON_TYPES / uri[at + len(_MARKER):].split("#", 1)[0]).resolve()
    if COMMON_TYPES not in path.parents or not path.is_file():
        raise SpecParseError(uri, f"no shipped copy of common-types/{uri[at + len(_MARKER):]}",
                             hint=f"add it under {COMMON_TYPES}")
    return json.loads(path.read_text(encoding="utf-8"))


_VERBS = frozenset({"list", "get", "create", "delete", "update", "start", "power", "restart",
                    "deallocate", "run", "grant", "revoke", "check", "regenerate", "begin",
                    "capture", "convert", "redeploy", "reimage", "simulate", "assess", "install",
                    "perform", "reapply", "generalize", "retrieve", "query", "validate",
                    "upgrade", "abort", "migrate", "reset", "rotate", "stop", "set", "cancel",
                    "add", "remove", "failover", "restore", "export", "import", "move", "patch"})


def _words(identifier: str) -> str:
    return re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", identifier).lower()


def operation_words(operation_id: str) -> str:
    """``VirtualMachines_ListAll`` -> "list all virtual machines"; ``Disks_ListByResourceGroup``
    -> "list disks by resource group"; ``ManagedClusters_ListClusterAdminCredentials`` -> "list
    cluster admin credentials of managed clusters"; ``VirtualMachines_InstanceView`` -> "get
    instance view of virtual machines" (``x-operation-words``: the verb first, for search)."""
    group, _, method = operation_id.partition("_")
    if not method:
        return operation_id
    group_words = _words(group)
    head, _, rest = _words(method).partition(" ")
    if head not in _VERBS:
        head, rest = "get", f"{head} {rest}".strip()
    if not rest or rest == "all":
        return " ".join(w for w in (head, rest, group_words) if w)
    if rest.startswith("by "):
        return f"{head} {group_words} {rest}"
    return f"{head} {rest} of {group_words}"


def parse_arm(content: bytes, source: SpecSource, info: SourceInfo) -> list[APISpec]:
    name = source.name or info.url
    doc = load_document(content, name)
    if not isinstance(doc, dict) or not str(doc.get("swagger", "")).startswith("2."):
        raise SpecParseError(name, "not an ARM swagger document (swagger: 2.0 expected)")
    version = str((doc.get("info") or {}).get("version") or "")
    specs = build_operations(doc, source, info, "swagger", loader=shipped_common_types,
                             base_uri=info.url or source.url)
    out = []
    for spec in specs:
        params = []
        for param in spec.parameters:
            if param.name == API_VERSION and param.location == "query":
                schema = {**param.json_schema, "default": version} if version else \
                    param.json_schema
                param = param.model_copy(update={"required": False, "json_schema": schema})
            params.append(param)
        raw = {**spec.raw, "x-operation-words": operation_words(spec.name)}
        out.append(spec.model_copy(update={"parameters": params, "raw": raw}))
    return out


parse_spec = format_parser(FORMAT, parse_arm)
