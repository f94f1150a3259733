"""GCP spec sources: the plugin's ``doc_sources.yaml``, with offline copies found in the plugin's
own ``specs/`` first and then among the discovery documents google-api-python-client ships."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

from mcp_sre import hookimpl
from mcp_sre.specs.model import SpecSource
from mcp_sre.specs.sources import sources_from_package

__all__ = ["PROVIDER", "client_library_documents", "register_doc_sources",
           "retrieval_vocabulary"]

PROVIDER = "gcp"


def client_library_documents() -> Path | None:
    """``googleapiclient/discovery_cache/documents`` when the package is installed (found
    without importing it: the import is slow and not needed to read files)."""
    spec = importlib.util.find_spec("googleapiclient")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "discovery_cache" / "documents"
    return folder if folder.is_dir() else None


@hookimpl
def register_doc_sources(register: Callable[[SpecSource], None]) -> None:
    library = client_library_documents()
    for source in sources_from_package(__package__ or "mcp_sre_gcp"):
        if source.snapshot and not source.snapshot_home and library is not None and \
                (library / source.snapshot).is_file():
            source = source.model_copy(update={"snapshot_home": str(library)})
        register(source)


@hookimpl
def retrieval_vocabulary() -> Path:
    """How requests name Google Cloud's services (merged into the search vocabulary)."""
    return Path(__file__).with_name("vocab.yaml")
