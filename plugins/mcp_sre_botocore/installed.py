"""The installed botocore as a spec source: ``botocore:all`` or ``botocore:ec2,logs``.

Fetching produces a small JSON manifest (botocore version + service -> apiVersion). Its
sha256 and etag change exactly when botocore is upgraded or the selection changes, so the
catalog re-indexes only then. Parsing reads each service's model straight from the
installed data directory (gzip + json, faster than botocore's OrderedDict loader).
"""

from __future__ import annotations

import difflib
import gzip
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from mcp_sre.errors import SpecFetchError, SpecParseError
from mcp_sre.specs.fetch import FetchedContent
from mcp_sre.specs.model import APISpec, SourceInfo, SpecSource
from mcp_sre_botocore.convert import convert_service

__all__ = [
    "MANIFEST_KIND",
    "SCHEME",
    "build_manifest",
    "fetch_installed",
    "find_model_dir",
    "load_examples",
    "load_json",
    "load_model",
    "load_paginators",
    "load_waiters",
    "parse_manifest",
]

SCHEME = "botocore:"
MANIFEST_KIND = "botocore-installed"
log = logging.getLogger("mcp_sre.botocore")


def _loader() -> Any:
    from botocore.loaders import Loader

    return Loader()


def _installed_services(loader: Any) -> dict[str, str]:
    services = loader.list_available_services("service-2")
    return {name: loader.determine_latest_version(name, "service-2") for name in services}


def _selection(source: SpecSource) -> list[str] | None:
    """``None`` means every installed service."""
    spec = source.url[len(SCHEME):].strip()
    if spec in ("", "all", "*"):
        return None
    return [part.strip() for part in spec.split(",") if part.strip()]


def build_manifest(source: SpecSource) -> dict[str, Any]:
    import botocore

    installed = _installed_services(_loader())
    wanted = _selection(source)
    if wanted is not None:
        unknown = [name for name in wanted if name not in installed]
        if unknown:
            close = difflib.get_close_matches(unknown[0], list(installed), n=3)
            raise SpecFetchError(
                source.name, f"botocore {botocore.__version__} has no service named "
                f"{', '.join(map(repr, unknown))}",
                hint=f"did you mean {', '.join(close)}?" if close
                else "use botocore service names such as ec2, logs, cloudwatch, or botocore:all",
            )
        installed = {name: installed[name] for name in wanted}
    return {
        "kind": MANIFEST_KIND,
        "botocore_version": botocore.__version__,
        "selection": "all" if wanted is None else ",".join(wanted),
        "services": dict(sorted(installed.items())),
    }


def _etag(manifest: dict[str, Any]) -> str:
    listing = json.dumps(manifest["services"], sort_keys=True).encode()
    return f"botocore-{manifest['botocore_version']}-{hashlib.sha256(listing).hexdigest()[:16]}"


def fetch_installed(source: SpecSource, etag: str | None) -> FetchedContent:
    manifest = build_manifest(source)
    tag = _etag(manifest)
    if etag == tag:
        return FetchedContent(url=source.url, etag=tag, not_modified=True)
    content = json.dumps(manifest, sort_keys=True, indent=1).encode()
    return FetchedContent(content=content, url=source.url, etag=tag)


def load_json(path: Path) -> Any:
    raw = path.read_bytes()
    if path.suffix == ".gz" or raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return json.loads(raw)


def find_model_dir(loader: Any, service: str, version: str) -> Path | None:
    for root in loader.search_paths:
        candidate = Path(root) / service / version
        if (candidate / "service-2.json.gz").is_file() or (candidate / "service-2.json").is_file():
            return candidate
    return None


def _model_file(directory: Path) -> Path:
    gz = directory / "service-2.json.gz"
    return gz if gz.is_file() else directory / "service-2.json"


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value)
        else:
            base[key] = value


def load_model(directory: Path) -> dict[str, Any]:
    """``service-2.json(.gz)`` with ``service-2.sdk-extras.json`` merged in, as botocore
    does (the extras add client-side parameters such as rds ``SourceRegion``)."""
    model = load_json(_model_file(directory))
    extras = directory / "service-2.sdk-extras.json"
    if isinstance(model, dict) and extras.is_file():
        _deep_merge(model, (load_json(extras) or {}).get("merge") or {})
    return model


def load_paginators(directory: Path) -> dict[str, Any]:
    """``paginators-1.json`` merged with ``paginators-1.sdk-extras.json``, as botocore does."""
    pages: dict[str, Any] = {}
    for name in ("paginators-1.json", "paginators-1.json.gz"):
        path = directory / name
        if path.is_file():
            pages = dict((load_json(path) or {}).get("pagination") or {})
            break
    extras = directory / "paginators-1.sdk-extras.json"
    if extras.is_file():
        merge = ((load_json(extras) or {}).get("merge") or {}).get("pagination") or {}
        for op, config in merge.items():
            pages[op] = {**pages.get(op, {}), **config}
    return pages


def _optional_mapping(directory: Path, stem: str, key: str) -> dict[str, Any]:
    """``<stem>.json(.gz)``'s ``key`` mapping; empty when absent or unreadable (these files
    only help search, so a broken one must not fail the service)."""
    for name in (f"{stem}.json", f"{stem}.json.gz"):
        path = directory / name
        if path.is_file():
            try:
                data = load_json(path)
            except (OSError, ValueError, EOFError) as exc:
                log.warning("cannot read %s: %s", path, exc)
                return {}
            value = data.get(key) if isinstance(data, dict) else None
            return dict(value) if isinstance(value, dict) else {}
    return {}


def load_examples(directory: Path) -> dict[str, Any]:
    """The ``examples`` mapping of ``examples-1.json`` (empty when botocore has none)."""
    return _optional_mapping(directory, "examples-1", "examples")


def load_waiters(directory: Path) -> dict[str, Any]:
    """The ``waiters`` mapping of ``waiters-2.json`` (empty when botocore has none)."""
    return _optional_mapping(directory, "waiters-2", "waiters")


def parse_manifest(
    manifest: dict[str, Any], source: SpecSource, info: SourceInfo
) -> list[APISpec]:
    """Parse every service the manifest lists from the installed botocore data."""
    services = manifest.get("services")
    if not isinstance(services, dict):
        raise SpecParseError(source.name, "botocore manifest has no 'services' mapping",
                             hint="re-sync the source to rebuild the manifest")
    loader = _loader()
    latest: dict[str, str] | None = None
    provider = source.provider or "aws"
    specs: list[APISpec] = []
    for service, version in services.items():
        directory = find_model_dir(loader, service, str(version))
        if directory is None:  # botocore upgraded since the manifest was built
            latest = latest if latest is not None else _installed_services(loader)
            if service not in latest:
                log.warning("botocore service %s is no longer installed; skipped", service)
                continue
            directory = find_model_dir(loader, service, latest[service])
            if directory is None:
                continue
        path = _model_file(directory)
        try:
            model = load_model(directory)
        except (OSError, ValueError, EOFError) as exc:
            raise SpecParseError(source.name, f"cannot read {path}: {exc}",
                                 hint="reinstall botocore") from exc
        specs.extend(convert_service(
            model, service=service, provider=provider,
            info=info.model_copy(update={"url": str(path)}),
            paginators=load_paginators(directory), examples=load_examples(directory),
            waiters=load_waiters(directory),
            where=f"{source.name}:{service}",
        ))
    return specs
