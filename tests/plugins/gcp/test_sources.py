"""GCP sources work offline from a fresh install; the read/write classes and the sensitive
reads are the plugin's (through the real plugin manager and catalog)."""

from __future__ import annotations

import pytest

from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.sandbox.policy import Policy
from mcp_sre.specs.catalog import SpecCatalog
from mcp_sre.toolcode.calls import SdkCall

DEFAULTS = {"gcp-compute", "gcp-container", "gcp-monitoring", "gcp-logging",
            "gcp-cloudresourcemanager", "gcp-cloudtrace", "gcp-secretmanager", "gcp-iam"}


def test_every_default_gcp_source_has_operations_offline(gcp_catalog: SpecCatalog) -> None:
    rows = {r.name: r for r in gcp_catalog.status()}
    gcp = {s.name for s in gcp_catalog.registry.defaults() if s.provider == "gcp"}
    assert gcp == DEFAULTS
    for name in sorted(gcp):
        ops = gcp_catalog.operations(name)
        assert len(ops) >= 3, name
        assert gcp_catalog.status([name])[0].origin == "snapshot"
    assert len(gcp_catalog.operations("gcp-compute")) > 700
    assert "gcp-cloudtrace-v2" in rows and not gcp_catalog.registry.get("gcp-cloudtrace-v2").default


@pytest.mark.parametrize(("op_id", "access"), [
    ("gcp/compute/compute.instances.list", "read"),
    ("gcp/compute/compute.instances.aggregatedList", "read"),
    ("gcp/monitoring/monitoring.projects.timeSeries.list", "read"),
    ("gcp/monitoring/monitoring.projects.timeSeries.query", "read"),
    ("gcp/logging/logging.entries.list", "read"),
    ("gcp/cloudresourcemanager/cloudresourcemanager.projects.search", "read"),
    ("gcp/cloudresourcemanager/cloudresourcemanager.projects.getIamPolicy", "read"),
    ("gcp/compute/compute.instances.stop", "write"),
    ("gcp/compute/compute.instances.delete", "write"),
    ("gcp/compute/compute.instances.setMetadata", "write"),
    ("gcp/iam/iam.projects.serviceAccounts.keys.create", "write"),
    ("gcp/iam/iam.projects.serviceAccounts.signBlob", "write"),
    ("gcp/monitoring/monitoring.projects.notificationChannels.getVerificationCode", "write"),
])
def test_access_classes(gcp_catalog: SpecCatalog, op_id: str, access: str) -> None:
    assert gcp_catalog.get(op_id).access == access


def test_sensitive_reads_are_refused_even_with_writes_allowed(gcp_catalog: SpecCatalog) -> None:
    pm = make_plugin_manager()
    policy = Policy(sensitive=[p for ps in pm.hook.sensitive_operations() for p in ps])
    for op_id in ("gcp/secretmanager/secretmanager.projects.secrets.versions.access",
                  "gcp/iam/iam.projects.serviceAccounts.keys.create"):
        decision = policy.decide(gcp_catalog.get(op_id), allow_writes=True)
        assert not decision.allowed and decision.rule == "sensitive", op_id
    listing = gcp_catalog.get("gcp/secretmanager/secretmanager.projects.secrets.list")
    assert listing.access == "read" and policy.decide(listing).allowed


@pytest.mark.parametrize(("factory", "args", "method", "expected"), [
    ("discovery.build().instances().list()", ("compute", "v1"), "execute",
     "gcp/compute/compute.instances.list"),
    ("googleapiclient.discovery.build().projects().timeSeries().list()", ("monitoring", "v3"),
     "execute", "gcp/monitoring/monitoring.projects.timeSeries.list"),
    ("build().instances().stop()", ("compute", "v1"), "execute", "gcp/compute/compute.instances.stop"),
    ("discovery.build().instances().list()", ("compute", "v1"), "list_next", None),
    ("boto3.client", ("ec2",), "execute", None),
])
def test_sdk_calls_name_operations(factory: str, args: tuple, method: str,
                                   expected: str | None) -> None:
    pm = make_plugin_manager(only={"gcp"})
    call = SdkCall(factory=factory, factory_args=args, method=method)
    assert pm.hook.sdk_call_operation(call=call) == expected


def test_any_shipped_google_api_can_be_added_and_called_by_its_build_name(tmp_path) -> None:
    """sqladmin's method ids say "sql.": the operation ids use the name discovery.build()
    takes, as the shim and the SDK-call naming do."""
    from mcp_sre.config import load_settings
    from mcp_sre.specs.model import SpecSource
    from mcp_sre_gcp.sources import client_library_documents

    library = client_library_documents()
    assert library is not None
    catalog = SpecCatalog(settings=load_settings(home=tmp_path, offline=True))
    catalog.add_source(SpecSource(name="gcp-sqladmin", provider="gcp", format="discovery",
                                  url=str(library / "sqladmin.v1.json"), default=False))
    pm = make_plugin_manager(only={"gcp"})
    named = pm.hook.sdk_call_operation(call=SdkCall(
        factory="discovery.build().instances().list()", factory_args=("sqladmin", "v1"),
        method="execute"))
    op = catalog.get(named)
    assert op.name == "sql.instances.list" and op.access == "read"
    assert op.endpoint == "https://sqladmin.googleapis.com/v1/projects/{project}/instances"
