"""Fetch spec content: http(s) with conditional requests, local files, and plugin schemes."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from pydantic import BaseModel, Field

from mcp_sre.errors import SpecFetchError

if TYPE_CHECKING:
    import pluggy

    from mcp_sre.specs.model import SpecSource

__all__ = ["FetchedContent", "fetch_source", "sha256_of"]


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class FetchedContent(BaseModel):
    """What one fetch returned. ``not_modified`` means the cached copy is still current."""

    content: bytes = Field(default=b"", description="Raw spec bytes (empty when not_modified)")
    url: str = Field(description="Where it came from")
    etag: str | None = Field(default=None, description="Validator for the next conditional GET")
    last_modified: str | None = Field(default=None, description="HTTP Last-Modified, if any")
    not_modified: bool = Field(default=False, description="Server said 304 / same version")
    fetched_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


def _local_path(url: str) -> Path | None:
    if url.startswith("file://"):
        return Path(url[len("file://") :])
    if "://" not in url and ":" not in url.split("/", 1)[0]:
        return Path(url).expanduser()
    return None


def fetch_source(
    source: SpecSource,
    *,
    pm: pluggy.PluginManager,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = 50 << 20,
    timeout_s: float = 30.0,
) -> FetchedContent:
    """Fetch ``source.url``. Raises :class:`SpecFetchError` with the source and the reason."""
    url = source.url
    path = _local_path(url)
    if path is not None:
        if not path.is_file():
            raise SpecFetchError(source.name, f"file not found: {path}")
        size = path.stat().st_size
        if size > max_bytes:
            raise SpecFetchError(
                source.name, f"{size} bytes exceeds the {max_bytes}-byte limit",
                hint="raise MCP_SRE_MAX_SPEC_BYTES if this spec is really that large",
            )
        content = path.read_bytes()
        digest = sha256_of(content)
        return FetchedContent(
            content=b"" if etag == digest else content,
            url=str(path), etag=digest, not_modified=etag == digest,
        )
    if url.startswith(("http://", "https://")):
        return _fetch_http(source, etag, last_modified, max_bytes, timeout_s)
    result = pm.hook.fetch_spec_content(source=source, etag=etag)
    if result is None:
        raise SpecFetchError(source.name, f"no plugin can fetch {url!r}",
                             hint="use an http(s) URL, a file path, or install the plugin")
    return result


def _fetch_http(
    source: SpecSource, etag: str | None, last_modified: str | None, max_bytes: int,
    timeout_s: float,
) -> FetchedContent:
    headers = {"Accept": "application/json, application/yaml, text/plain, */*"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with httpx.Client(timeout=timeout_s, follow_redirects=True) as client, client.stream(
            "GET", source.url, headers=headers
        ) as resp:
            if resp.status_code == 304:
                return FetchedContent(url=source.url, etag=etag, last_modified=last_modified,
                                      not_modified=True)
            if resp.status_code >= 400:
                raise SpecFetchError(source.name, f"HTTP {resp.status_code} from {source.url}")
            declared = int(resp.headers.get("content-length") or 0)
            if declared > max_bytes:
                raise SpecFetchError(source.name, f"{declared} bytes exceeds the "
                                     f"{max_bytes}-byte limit")
            chunks: list[bytes] = []
            total = 0
            for chunk in resp.iter_bytes():
                total += len(chunk)
                if total > max_bytes:
                    raise SpecFetchError(source.name, f"more than {max_bytes} bytes; refused")
                chunks.append(chunk)
            return FetchedContent(
                content=b"".join(chunks), url=source.url, etag=resp.headers.get("etag"),
                last_modified=resp.headers.get("last-modified"),
            )
    except httpx.HTTPError as exc:
        raise SpecFetchError(source.name, f"cannot reach {source.url}: "
                             f"{type(exc).__name__}: {exc}") from exc
