"""`mcp-sre specs export`: any source as one OpenAPI 3 document (what the mock servers serve)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mcp_sre.cli import main
from mcp_sre.errors import ValidationError
from mcp_sre.specs.catalog import SpecCatalog
from mcp_sre.specs.export import to_openapi


def test_discovery_reserved_paths_use_the_flat_form(settings) -> None:
    catalog = SpecCatalog(settings=settings.model_copy(update={"offline": True}))
    doc = to_openapi(catalog.operations("gcp-monitoring"), title="m")
    assert "/v3/projects/{projectsId}/timeSeries" in doc["paths"]
    assert not any("{+" in path for path in doc["paths"])
    op = doc["paths"]["/v3/projects/{projectsId}/timeSeries"]["get"]
    assert op["x-mcp-sre-id"] == "gcp/monitoring/monitoring.projects.timeSeries.list"
    assert [p["name"] for p in op["parameters"] if p["in"] == "path"] == ["projectsId"]
    assert doc["servers"] == [{"url": "https://monitoring.googleapis.com"}]


def test_cli_filters_and_refuses_unknown_formats(home) -> None:
    runner = CliRunner()
    env = {"MCP_SRE_HOME": str(home), "MCP_SRE_OFFLINE": "1"}
    out = runner.invoke(main, ["specs", "export", "azure-compute", "--only",
                               "azure/compute/VirtualMachines_List*"], env=env)
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    ids = sorted(op["x-mcp-sre-id"] for item in doc["paths"].values() for op in item.values())
    assert ids == ["azure/compute/VirtualMachines_List", "azure/compute/VirtualMachines_ListAll",
                   "azure/compute/VirtualMachines_ListAvailableSizes"]
    bad = runner.invoke(main, ["specs", "export", "azure-compute", "--format", "raml"], env=env)
    assert bad.exit_code == 1 and "cannot export as 'raml'" in bad.output
    none = runner.invoke(main, ["specs", "export", "azure-compute", "--only", "x/y/z"], env=env)
    assert none.exit_code == 1 and "no HTTP operations" in none.output


def test_rpc_operations_have_no_path() -> None:
    with pytest.raises(ValidationError, match="no HTTP operations"):
        to_openapi([], title="empty")
