"""The GCP executor over HTTP against Prism serving the exported specs: URL templates, query
parameters, masking, errors; the credential chain's errors; throttling retried."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator

import pytest
from cloud_mocks import GCP_HOT as HOT
from cloud_mocks import PROJECT, ZONE

from mcp_sre.sandbox.models import ProviderCallError
from mcp_sre.specs.catalog import SpecCatalog
from mcp_sre_gcp.executor import execute_operation


def run(catalog: SpecCatalog, op_id: str, params: dict, endpoint: str) -> dict:
    return execute_operation(spec=catalog.get(op_id), params=params,
                             context={"endpoint_url": endpoint, "timeout_s": 10})


def test_instances_list_with_masked_startup_script(gcp_catalog, gcp_prism, gcp_token) -> None:
    data = run(gcp_catalog, "gcp/compute/compute.instances.list",
               {"project": PROJECT, "zone": ZONE, "maxResults": 50}, gcp_prism)
    names = [i["name"] for i in data["items"]]
    assert set(HOT) <= set(names)
    items = {m["key"]: m["value"] for m in data["items"][0]["metadata"]["items"]}
    assert items["startup-script"] == "***redacted by mcp-sre***" and items["env"] == "prod"


def test_reserved_expansion_and_query_parameters(gcp_catalog, gcp_prism, gcp_token) -> None:
    data = run(gcp_catalog, "gcp/monitoring/monitoring.projects.timeSeries.list", {
        "name": f"projects/{PROJECT}", "view": "FULL",
        "filter": 'metric.type = "compute.googleapis.com/instance/cpu/utilization"',
        "interval.startTime": "2026-12-03T09:00:00Z",
        "interval.endTime": "2026-12-03T10:00:00Z"}, gcp_prism)
    assert len(data["timeSeries"]) == 3


def test_post_read_with_a_body(gcp_catalog, gcp_prism, gcp_token) -> None:
    data = run(gcp_catalog, "gcp/logging/logging.entries.list",
               {"body": {"resourceNames": [f"projects/{PROJECT}"], "filter": "severity>=ERROR"}},
               gcp_prism)
    assert data["entries"][0]["severity"] == "ERROR"


@pytest.mark.parametrize("zone", ["../../global", "a/b", "%2e%2e", "x?y=1"])
def test_a_path_value_cannot_steer_the_request(gcp_catalog, gcp_prism, gcp_token,
                                               zone: str) -> None:
    with pytest.raises(ProviderCallError, match="not a valid name") as info:
        run(gcp_catalog, "gcp/compute/compute.instances.list",
            {"project": PROJECT, "zone": zone}, gcp_prism)
    assert info.value.kind == "validation_error"


def test_an_error_answer_is_a_provider_error(gcp_catalog, gcp_prism, gcp_token) -> None:
    # Prism rejects the request (the required `view` is missing): an HTTP error, typed
    with pytest.raises(ProviderCallError, match="HTTP 422") as info:
        run(gcp_catalog, "gcp/monitoring/monitoring.projects.timeSeries.list",
            {"name": f"projects/{PROJECT}", "filter": "x"}, gcp_prism)
    assert info.value.status == 422


def test_no_credentials_names_what_the_chain_reads(gcp_catalog, monkeypatch, tmp_path) -> None:
    pytest.importorskip("google.auth")
    for var in ("GOOGLE_OAUTH_ACCESS_TOKEN", "GOOGLE_CLOUD_PROJECT", "CLOUDSDK_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    monkeypatch.setenv("GCE_METADATA_HOST", "127.0.0.1:9")
    with pytest.raises(ProviderCallError) as info:
        run(gcp_catalog, "gcp/compute/compute.zones.list", {"project": PROJECT},
            "http://127.0.0.1:9")
    text = str(info.value)
    assert info.value.code == "NoCredentials"
    assert "GOOGLE_APPLICATION_CREDENTIALS" in text and "application_default_credentials.json" \
        in text and "GOOGLE_OAUTH_ACCESS_TOKEN" in text


def test_credentials_that_cannot_be_refreshed(gcp_catalog, monkeypatch, tmp_path) -> None:
    pytest.importorskip("google.auth")
    from mcp_sre_gcp import executor

    monkeypatch.delenv("GOOGLE_OAUTH_ACCESS_TOKEN", raising=False)
    adc = tmp_path / "adc.json"
    adc.write_text(json.dumps({"type": "authorized_user", "client_id": "x", "client_secret": "y",
                               "refresh_token": "expired", "token_uri": "http://127.0.0.1:9/t"}))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc))
    monkeypatch.setattr(executor, "_credentials", {})
    with pytest.raises(ProviderCallError) as info:
        run(gcp_catalog, "gcp/compute/compute.zones.list", {"project": PROJECT},
            "http://127.0.0.1:9")
    assert info.value.code == "ExpiredCredentials"
    assert "could not be refreshed" in str(info.value)


def test_an_empty_project_is_the_hosts(gcp_catalog, gcp_prism, gcp_token, monkeypatch) -> None:
    from mcp_sre_gcp.executor import with_default_project

    for var in ("CLOUDSDK_CORE_PROJECT", "GCLOUD_PROJECT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)
    spec = gcp_catalog.get("gcp/monitoring/monitoring.projects.timeSeries.list")
    assert with_default_project(spec, {"name": "projects/"}, {})["name"] == f"projects/{PROJECT}"
    data = run(gcp_catalog, "gcp/compute/compute.instances.list",
               {"project": "", "zone": ZONE}, gcp_prism)
    assert data["items"]
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT")
    with pytest.raises(ProviderCallError, match="GOOGLE_CLOUD_PROJECT") as info:
        run(gcp_catalog, "gcp/compute/compute.instances.list", {"project": "", "zone": ZONE},
            gcp_prism)
    assert info.value.code == "NoProject"


class _Throttling(http.server.BaseHTTPRequestHandler):
    """Answers 429 (Retry-After: 0) twice, then the real thing: the cloud's throttling."""

    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.headers.get("Authorization", ""))
        if len(self.hits) <= 2:
            self.send_response(429)
            self.send_header("Retry-After", "0")
            body = json.dumps({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED",
                                         "message": "Quota exceeded"}}).encode()
        else:
            self.send_response(200)
            body = json.dumps({"items": [{"name": ZONE}]}).encode()
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def throttling_server() -> Iterator[str]:
    _Throttling.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Throttling)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_throttling_is_retried_with_back_off(gcp_catalog, throttling_server, gcp_token) -> None:
    data = run(gcp_catalog, "gcp/compute/compute.zones.list", {"project": PROJECT},
               throttling_server)
    assert data == {"items": [{"name": ZONE}]}
    assert _Throttling.hits == ["Bearer mock-token"] * 3


def test_endpoint_override_keeps_the_api_path(gcp_catalog) -> None:
    from mcp_sre.sandbox.rest import build_request, override_endpoint

    spec = gcp_catalog.get("gcp/compute/compute.instances.list")
    request = build_request(spec, {"project": "p", "zone": "z", "filter": 'status = "RUNNING"'})
    assert request.url == "https://compute.googleapis.com/compute/v1/projects/p/zones/z/instances"
    assert request.query == [("filter", 'status = "RUNNING"')]
    assert override_endpoint(request.url, "http://127.0.0.1:1/base") == \
        "http://127.0.0.1:1/base/compute/v1/projects/p/zones/z/instances"
