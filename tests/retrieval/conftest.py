"""A small real index: eight botocore services and the core Kubernetes APIs, parsed by the
real plugins through a real SpecCatalog (user sources pointing at fixture files)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mcp_sre.config import Settings, load_settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "retrieval"
AWS_SERVICES = ["cloudwatch", "logs", "elbv2", "eks", "ce", "sns", "xray", "ec2"]
SOURCE_NAMES = [f"aws-{s}" for s in AWS_SERVICES] + ["k8s-core"]


def source_entries(folder: Path) -> list[dict[str, object]]:
    entries: list[dict[str, object]] = [
        {"name": f"aws-{s}", "provider": "aws", "url": str(folder / f"{s}.json.gz"),
         "format": "botocore", "service": s, "default": False}
        for s in AWS_SERVICES
    ]
    entries.append({"name": "k8s-core", "provider": "kubernetes",
                    "url": str(folder / "kubernetes-core.json"), "format": "swagger",
                    "default": False})
    return entries


@pytest.fixture
def spec_dir(tmp_path: Path) -> Path:
    """A writable copy of the fixtures, so a test can change one source."""
    folder = tmp_path / "specs"
    shutil.copytree(FIXTURES, folder)
    return folder


@pytest.fixture
def small_settings(home: Path, spec_dir: Path) -> Settings:
    return load_settings(home=home, offline=True, sources=source_entries(spec_dir))


@pytest.fixture
def retriever(small_settings: Settings):
    from mcp_sre.retrieval import Retriever

    r = Retriever(small_settings, embedder=None, sources=SOURCE_NAMES)
    r.ensure_index()
    return r


@pytest.fixture(scope="session")
def shared_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shared-home")


@pytest.fixture(scope="session")
def shared_retriever(shared_home: Path):
    """One keyword-only index for the read-only tests of the session."""
    from mcp_sre.retrieval import Retriever

    settings = load_settings(home=shared_home, offline=True, sources=source_entries(FIXTURES))
    r = Retriever(settings, embedder=None, sources=SOURCE_NAMES)
    r.ensure_index()
    return r
