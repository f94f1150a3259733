"""Code written the way GCP users write it (googleapiclient) runs in the real sandbox against
Prism; writes and sensitive reads are refused by the host policy before anything is sent."""

from __future__ import annotations

import pytest
from cloud_mocks import GCP_HOT as HOT
from cloud_mocks import PROJECT

from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.sandbox import Sandbox
from mcp_sre.sandbox.runner import CatalogOperations

HIGH_CPU = '''
import google.auth
from googleapiclient import discovery
from googleapiclient.errors import HttpError

def main(project, threshold=80.0):
    credentials, _ = google.auth.default()
    compute = discovery.build("compute", "v1", credentials=credentials)
    names = []
    request = compute.instances().aggregatedList(project=project, maxResults=100)
    while request is not None:
        response = request.execute()
        for scope in response.get("items", {}).values():
            names += [i["name"] for i in scope.get("instances", []) if i["status"] == "RUNNING"]
        request = compute.instances().aggregatedList_next(request, response)
    monitoring = discovery.build("monitoring", "v3", credentials=credentials)
    series = monitoring.projects().timeSeries().list(
        name="projects/" + project, view="FULL",
        filter='metric.type = "compute.googleapis.com/instance/cpu/utilization"',
        **{"interval.startTime": "2026-12-03T09:00:00Z",
           "interval.endTime": "2026-12-03T10:00:00Z"}).execute()
    hot = {}
    for ts in series.get("timeSeries", []):
        name = ts["metric"]["labels"]["instance_name"]
        values = [p["value"]["doubleValue"] * 100 for p in ts["points"]]
        if name in names and sum(values) / len(values) > threshold:
            hot[name] = round(sum(values) / len(values), 1)
    try:
        compute.instances().get(project=project, zone="no/such", instance="x").execute()
    except HttpError as exc:
        hot["_error"] = exc.status_code
    except ValueError as exc:
        hot["_error"] = "validation"
    return hot
'''


@pytest.fixture(scope="module")
def gcp_box(gcp_settings, gcp_catalog, gcp_prism, module_dir):
    pm = make_plugin_manager()
    return Sandbox(gcp_settings, pm, CatalogOperations(gcp_catalog),
                   context={"gcp": {"endpoint_url": gcp_prism}}, module_dir=module_dir)


def test_googleapiclient_code_runs_against_the_mock(gcp_box, gcp_token) -> None:
    result = gcp_box.run(HIGH_CPU + f"\nimport sre\nsre.result(main({PROJECT!r}))\n",
                         providers=["gcp"], timeout_s=60)
    assert result.ok, (result.error, result.stderr)
    hot = dict(result.result)
    assert hot.pop("_error") == "validation"
    assert hot == HOT
    assert [(c.operation, c.error is None) for c in result.calls] == [
        ("gcp/compute/compute.instances.aggregatedList", True),
        ("gcp/monitoring/monitoring.projects.timeSeries.list", True),
        ("gcp/compute/compute.instances.get", False)]  # the bad zone never left the host


@pytest.mark.parametrize(("code", "rule"), [
    ('discovery.build("compute", "v1").instances().stop(project="p", zone="z", '
     'instance="web-1").execute()', "write"),
    ('discovery.build("secretmanager", "v1").projects().secrets().versions().access('
     'name="projects/p/secrets/db/versions/latest").execute()', "sensitive"),
    ('discovery.build("iam", "v1").projects().serviceAccounts().keys().create('
     'name="projects/p/serviceAccounts/a@p.iam.gserviceaccount.com", body={}).execute()',
     "sensitive"),
])
def test_writes_and_sensitive_reads_are_refused(gcp_box, gcp_token, code: str,
                                                rule: str) -> None:
    program = f"from googleapiclient import discovery\n{code}\n"
    result = gcp_box.run(program, providers=["gcp"], timeout_s=60)
    assert not result.ok and result.error.type == "policy_denied", result
    (call,) = result.calls
    assert call.decision == "denied"
    assert ("write operation" if rule == "write" else "secret material") in call.reason
