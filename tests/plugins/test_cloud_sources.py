"""Doc sources of the gcp, azure and volcengine plugins: registered through the real plugin
manager, off the default index, and (GCP) usable offline from the shipped snapshots."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mcp_sre.config import Settings
from mcp_sre.errors import SpecError
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.specs.catalog import SpecCatalog
from mcp_sre.specs.model import SpecSource
from mcp_sre.specs.parse import parse_content
from mcp_sre.specs.sources import sources_from_package

MINE = {"aws", "gcp", "azure", "volcengine"}


@pytest.fixture(scope="module")
def sources() -> dict[str, SpecSource]:
    found: list[SpecSource] = []
    make_plugin_manager(only=MINE).hook.register_doc_sources(register=found.append)
    names = [s.name for s in found]
    assert len(names) == len(set(names)), "two plugins register the same source name"
    return {s.name: s for s in found}


def of(sources: dict[str, SpecSource], provider: str) -> list[SpecSource]:
    return [s for s in sources.values() if s.provider == provider]


def test_every_cloud_is_indexed_by_default(sources: dict[str, SpecSource]) -> None:
    defaults = {s.provider for s in sources.values() if s.default}
    assert {"aws", "gcp", "azure", "volcengine"} <= defaults
    assert {s.provider for s in sources.values()} == MINE


def test_gcp_sources(sources: dict[str, SpecSource]) -> None:
    gcp = {s.name: s for s in of(sources, "gcp")}
    assert set(gcp) == {"gcp-compute", "gcp-container", "gcp-monitoring", "gcp-logging",
                        "gcp-cloudtrace", "gcp-cloudtrace-v2", "gcp-cloudresourcemanager",
                        "gcp-secretmanager", "gcp-iam"}
    for source in gcp.values():
        assert source.format == "discovery" and source.snapshot
        assert re.fullmatch(r"https://www\.googleapis\.com/discovery/v1/apis/\w+/v\d+/rest",
                            source.url)
    assert [n for n in gcp if not gcp[n].default] == ["gcp-cloudtrace-v2"]


@pytest.mark.parametrize("name", ["gcp-container", "gcp-monitoring", "gcp-logging",
                                  "gcp-cloudtrace-v2"])
def test_gcp_snapshots_parse(sources: dict[str, SpecSource], name: str) -> None:
    source = sources[name]
    home = Path(str(source.snapshot_home))  # the gcp plugin owns its snapshots
    assert home.parent.name == "mcp_sre_gcp"
    path = home / str(source.snapshot)
    assert path.is_file() and path.stat().st_size < 1_000_000
    assert path.name in (home / "LICENSES.md").read_text()
    specs = parse_content(make_plugin_manager(), path.read_bytes(), source)
    api = name.removeprefix("gcp-").removesuffix("-v2")
    assert specs and all(s.id.startswith(f"gcp/{api}/{api}.") for s in specs)
    assert all(s.source.name == name for s in specs)


def test_gcp_offline_from_snapshot_through_the_catalog(settings: Settings) -> None:
    catalog = SpecCatalog(settings=settings.model_copy(update={"offline": True}))
    ops = catalog.operations("gcp-monitoring")
    assert len(ops) > 40
    assert catalog.status(["gcp-monitoring"])[0].origin == "snapshot"
    op = catalog.get("gcp/monitoring/monitoring.projects.timeSeries.list")
    assert op.access == "read" and op.pagination is not None


def test_azure_sources_are_pinned_arm(sources: dict[str, SpecSource]) -> None:
    azure = of(sources, "azure")
    assert {s.service for s in azure} == {"compute", "monitor", "network", "containerservice",
                                          "resources", "storage"}
    for source in azure:
        assert source.format == "arm" and source.default and source.snapshot_home
        assert re.fullmatch(r"https://raw\.githubusercontent\.com/Azure/azure-rest-api-specs/"
                            r"[0-9a-f]{40}/specification/.+/stable/\d{4}-\d{2}-\d{2}/\w+\.json",
                            source.url), source.url


def test_volcengine_sources_read_the_installed_sdk(sources: dict[str, SpecSource]) -> None:
    volc = of(sources, "volcengine")
    assert {s.service for s in volc} == {"ecs", "vpc", "vke", "clb", "rdsmysqlv2",
                                         "cloudmonitor"}
    for source in volc:  # one source per package: a broken one fails alone
        assert source.default and source.url == f"volcenginesdk:{source.service}"
        assert source.format == "volcenginesdk" and source.options["titles"][source.service]


def test_load_doc_sources_names_a_broken_entry(tmp_path: Path, monkeypatch) -> None:
    package = tmp_path / "broken_sources_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "doc_sources.yaml").write_text("sources:\n  - name: x\n    url: y\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(SpecError, match="entry 0 is invalid"):
        sources_from_package("broken_sources_pkg")
    (package / "doc_sources.yaml").write_text("just: a mapping\n")
    with pytest.raises(SpecError, match="top-level 'sources:' list"):
        sources_from_package("broken_sources_pkg")
