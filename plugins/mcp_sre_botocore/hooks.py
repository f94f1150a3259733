"""Hook implementations of the botocore format plugin."""

from __future__ import annotations

import gzip
import json
import re
import zlib
from pathlib import Path
from typing import Any

from mcp_sre import hookimpl
from mcp_sre.errors import SpecParseError
from mcp_sre.specs.fetch import FetchedContent
from mcp_sre.specs.model import APISpec, SourceInfo, SpecSource
from mcp_sre_botocore.convert import convert_service, is_service_model
from mcp_sre_botocore.installed import (
    MANIFEST_KIND,
    SCHEME,
    fetch_installed,
    load_examples,
    load_paginators,
    load_waiters,
    parse_manifest,
)

__all__ = ["FORMAT", "detect_spec_format", "fetch_spec_content", "parse_spec"]

FORMAT = "botocore"
_HEAD = 8192
_MANIFEST = re.compile(rb'"kind"\s*:\s*"' + MANIFEST_KIND.encode() + rb'"')
_METADATA = re.compile(rb'"metadata"\s*:\s*\{')
_OPERATIONS = re.compile(rb'"operations"\s*:\s*\{')
_SHAPES = re.compile(rb'"shapes"\s*:\s*\{')
_PROTOCOL = re.compile(rb'"(protocol|apiVersion)"\s*:')
_OTHER_FORMATS = re.compile(rb'"(openapi|swagger|kind)"\s*:\s*"')
_VERSION_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _head(content: bytes) -> bytes:
    """The first bytes of the document, inflating a gzip stream only as far as needed."""
    if content[:2] == b"\x1f\x8b":
        try:
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(content, _HEAD)
        except zlib.error:
            return b""
    return content[:_HEAD]


@hookimpl
def detect_spec_format(content: bytes, source: SpecSource) -> str | None:
    head = _head(content).lstrip()
    if not head.startswith(b"{"):
        return None
    if _MANIFEST.search(head[:2048]):
        return FORMAT
    if _OTHER_FORMATS.search(head[:2048]) or not _METADATA.search(head):
        return None
    if not _PROTOCOL.search(head):
        return None
    if content[:2] == b"\x1f\x8b":  # only the head is inflated: operations follow metadata
        return FORMAT if _OPERATIONS.search(head) else None
    return FORMAT if _OPERATIONS.search(content) and _SHAPES.search(content) else None


def _decode(content: bytes, source: SpecSource) -> Any:
    try:
        if content[:2] == b"\x1f\x8b":
            content = gzip.decompress(content)
        return json.loads(content)
    except (OSError, EOFError, ValueError) as exc:
        raise SpecParseError(source.name, f"botocore model is not valid JSON: {exc}",
                             hint="is this a service-2.json file?") from exc


def _local_path(url: str) -> Path | None:
    if url.startswith("file://"):
        return Path(url[len("file://"):])
    if "://" not in url and ":" not in url.split("/", 1)[0]:
        return Path(url).expanduser()
    return None


def _service_name(model: dict[str, Any], source: SpecSource, path: Path | None) -> str:
    """source.service, else the botocore data-dir layout <service>/<apiVersion>/, else the
    model's endpointPrefix."""
    if source.service:
        return source.service
    if path is not None and _VERSION_DIR.match(path.parent.name) and path.parent.parent.name:
        return path.parent.parent.name
    meta = model["metadata"]
    prefix = meta.get("endpointPrefix") or meta.get("signingName") or meta.get("serviceId", "")
    name = str(prefix).strip().lower().replace(" ", "-")
    if not name:
        raise SpecParseError(source.name, "cannot tell the service name",
                             hint="set `service:` on the source")
    return name


def _paginators(source: SpecSource, path: Path | None) -> dict[str, Any]:
    option = source.options.get("paginators")
    if option:
        explicit = Path(str(option)).expanduser()
        if not explicit.is_file():
            raise SpecParseError(source.name, f"paginators file not found: {explicit}")
        return dict((json.loads(explicit.read_bytes()) or {}).get("pagination") or {})
    if path is not None and path.parent.is_dir():
        return load_paginators(path.parent)
    return {}


def _beside(path: Path | None, load: Any) -> dict[str, Any]:
    """A companion file of a local model (examples, waiters), read with ``load``."""
    if path is not None and path.parent.is_dir():
        return dict(load(path.parent))
    return {}


@hookimpl
def parse_spec(
    fmt: str, content: bytes, source: SpecSource, info: SourceInfo
) -> list[APISpec] | None:
    if fmt != FORMAT:
        return None
    data = _decode(content, source)
    if isinstance(data, dict) and data.get("kind") == MANIFEST_KIND:
        return parse_manifest(data, source, info)
    if not is_service_model(data):
        raise SpecParseError(source.name, "not a botocore service model (needs metadata with "
                             "protocol/apiVersion, operations and shapes)",
                             hint="point the source at a botocore service-2.json")
    path = _local_path(source.url)
    return convert_service(
        data, service=_service_name(data, source, path), provider=source.provider or "aws",
        info=info, paginators=_paginators(source, path), examples=_beside(path, load_examples),
        waiters=_beside(path, load_waiters),
        where=source.name,
    )


@hookimpl
def fetch_spec_content(source: SpecSource, etag: str | None) -> FetchedContent | None:
    if not source.url.startswith(SCHEME):
        return None
    return fetch_installed(source, etag)
