"""Installed ``volcenginesdk-*`` packages as spec sources: ``volcenginesdk:ecs`` (or
``volcenginesdk:ecs,vpc``).

Fetching writes a small JSON manifest (service -> installed package version); its etag changes
exactly when a package is upgraded or the selection changes, so the catalog re-indexes only
then. Parsing reads each package's generated files where pip installed them, offline.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
from pathlib import Path
from typing import Any

from mcp_sre.errors import SpecFetchError, SpecParseError
from mcp_sre.specs.fetch import FetchedContent
from mcp_sre.specs.model import APISpec, SourceInfo, SpecSource
from mcp_sre_volcenginesdk.convert import convert_package

__all__ = ["MANIFEST_KIND", "PREFIX", "SCHEME", "build_manifest", "fetch_installed",
           "installed_services", "package_dir", "parse_manifest"]

SCHEME = "volcenginesdk:"
MANIFEST_KIND = "volcenginesdk-installed"
PREFIX = "volcenginesdk"  # import name = PREFIX + service; distribution volcenginesdk-<service>


def installed_services() -> dict[str, str]:
    """service -> version of every installed ``volcenginesdk-<service>`` distribution."""
    out: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if name.startswith(PREFIX + "-") and name != PREFIX + "-core":
            out[name[len(PREFIX) + 1:].replace("-", "")] = dist.version
    return dict(sorted(out.items()))


def package_dir(service: str) -> Path | None:
    """Where ``volcenginesdk<service>`` is installed, found without importing it."""
    try:
        found = importlib.util.find_spec(PREFIX + service)
    except (ImportError, ValueError):
        return None
    if found is None or not found.submodule_search_locations:
        return None
    return Path(next(iter(found.submodule_search_locations)))


def _selection(source: SpecSource) -> list[str]:
    spec = source.url[len(SCHEME):].strip()
    return [part.strip().lower() for part in spec.split(",") if part.strip()]


def build_manifest(source: SpecSource) -> dict[str, Any]:
    installed = installed_services()
    wanted = _selection(source) or list(installed)
    missing = [name for name in wanted if name not in installed]
    if missing:
        raise SpecFetchError(
            source.name, f"Volcano Engine SDK package(s) not installed: "
            f"{', '.join(PREFIX + '-' + m for m in missing)}",
            hint=f"pip install {' '.join(PREFIX + '-' + m for m in missing)}")
    return {"kind": MANIFEST_KIND, "services": {name: installed[name] for name in wanted}}


def fetch_installed(source: SpecSource, etag: str | None) -> FetchedContent:
    manifest = build_manifest(source)
    listing = json.dumps(manifest["services"], sort_keys=True).encode()
    tag = f"volcenginesdk-{hashlib.sha256(listing).hexdigest()[:16]}"
    if etag == tag:
        return FetchedContent(url=source.url, etag=tag, not_modified=True)
    return FetchedContent(content=json.dumps(manifest, sort_keys=True, indent=1).encode(),
                          url=source.url, etag=tag)


def parse_manifest(manifest: dict[str, Any], source: SpecSource,
                   info: SourceInfo) -> list[APISpec]:
    services = manifest.get("services")
    if not isinstance(services, dict) or not services:
        raise SpecParseError(source.name, "volcenginesdk manifest lists no services",
                             hint="re-sync the source to rebuild the manifest")
    titles = source.options.get("titles") or {}
    specs: list[APISpec] = []
    for service in services:
        folder = package_dir(service)
        if folder is None:
            raise SpecParseError(source.name, f"{PREFIX}{service} is no longer installed",
                                 hint=f"pip install {PREFIX}-{service}, or re-sync the source")
        names = titles.get(service) if isinstance(titles, dict) else titles
        specs.extend(convert_package(
            folder, service=service, provider=source.provider or "volcengine",
            info=info.model_copy(update={"url": str(folder)}),
            titles=[str(t) for t in names] if isinstance(names, list) else None,
            where=f"{source.name}:{service}"))
    return specs
