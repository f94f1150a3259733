"""The Azure executor over HTTP against Prism serving the exported ARM specs: api-version,
resource-id paths, masking; nextLink pages followed on the same host only; throttling retried;
the credential chain's errors."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator

import pytest
from cloud_mocks import AZ_HOT as HOT
from cloud_mocks import RG, SUB

from mcp_sre.sandbox.models import ProviderCallError
from mcp_sre.specs.catalog import SpecCatalog
from mcp_sre_azure.executor import execute_operation


def run(catalog: SpecCatalog, op_id: str, params: dict, endpoint: str) -> dict:
    return execute_operation(spec=catalog.get(op_id), params=params,
                             context={"endpoint_url": endpoint, "timeout_s": 10})


def test_list_all_vms_masks_passwords(azure_catalog, azure_prism, azure_token) -> None:
    data = run(azure_catalog, "azure/compute/VirtualMachines_ListAll",
               {"subscriptionId": SUB}, azure_prism)
    names = [v["name"] for v in data["value"]]
    assert set(HOT) <= set(names)
    profile = data["value"][0]["properties"]["osProfile"]
    assert profile["adminPassword"] == "***redacted by mcp-sre***"
    assert profile["adminUsername"] == "azureuser"


def test_metrics_of_a_resource_id(azure_catalog, azure_prism, azure_token) -> None:
    uri = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Compute/" \
          "virtualMachines/web-1"
    data = run(azure_catalog, "azure/monitor/Metrics_List",
               {"resourceUri": uri, "metricnames": "Percentage CPU", "aggregation": "Average",
                "timespan": "PT1H", "interval": "PT5M"}, azure_prism)
    assert data["value"][0]["timeseries"][0]["data"][0]["average"] == HOT["web-1"]


@pytest.mark.parametrize("uri", ["../../other", "/subscriptions/x/../y", "a?b=c"])
def test_a_resource_id_cannot_steer_the_request(azure_catalog, azure_prism, azure_token,
                                                uri: str) -> None:
    with pytest.raises(ProviderCallError, match="not a valid name"):
        run(azure_catalog, "azure/monitor/Metrics_List", {"resourceUri": uri}, azure_prism)


def test_no_credentials_names_the_variables(azure_catalog, monkeypatch) -> None:
    for var in ("AZURE_ACCESS_TOKEN", "AZURE_CLIENT_ID", "AZURE_TENANT_ID",
                "AZURE_CLIENT_SECRET"):
        monkeypatch.delenv(var, raising=False)
    try:
        import azure.identity  # noqa: F401
        pytest.skip("azure-identity is installed: its own chain would be tried")
    except ImportError:
        pass
    with pytest.raises(ProviderCallError) as info:
        run(azure_catalog, "azure/compute/VirtualMachines_ListAll", {"subscriptionId": SUB},
            "http://127.0.0.1:9")
    text = str(info.value)
    assert info.value.code == "NoCredentials"
    for name in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "az login",
                 "AZURE_ACCESS_TOKEN", "azure-identity"):
        assert name in text


class _Paging(http.server.BaseHTTPRequestHandler):
    """ARM-like: 429 with Retry-After once, then two pages linked by nextLink, and a page
    whose nextLink points to another host."""

    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        host = self.headers["Host"]
        if len(self.hits) == 1:
            self._send(429, {"error": {"code": "TooManyRequests", "message": "slow down"}},
                       {"Retry-After": "0"})
        elif "skiptoken=2" in self.path:
            self._send(200, {"value": [{"name": "vm-3"}]})
        elif "evil" in self.path:
            self._send(200, {"value": [{"name": "vm-x"}],
                             "nextLink": "http://attacker.example/steal?api-version=1"})
        else:
            self._send(200, {"value": [{"name": "vm-1"}, {"name": "vm-2"}], "nextLink":
                             f"http://{host}/subscriptions/{SUB}/providers/Microsoft.Compute/"
                             "virtualMachines?api-version=2024-11-01&$skiptoken=2"})

    def _send(self, status: int, body: dict, headers: dict | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(body).encode())

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def paging_server() -> Iterator[str]:
    _Paging.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Paging)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_throttling_retried_and_next_links_followed(azure_catalog, paging_server,
                                                   azure_token) -> None:
    data = run(azure_catalog, "azure/compute/VirtualMachines_ListAll", {"subscriptionId": SUB},
               paging_server)
    assert [v["name"] for v in data["value"]] == ["vm-1", "vm-2", "vm-3"]
    assert not data.get("nextLink")
    assert len(_Paging.hits) == 3 and "api-version=2024-11-01" in _Paging.hits[0]


def test_a_next_link_to_another_host_is_refused(azure_catalog, paging_server,
                                                azure_token) -> None:
    with pytest.raises(ProviderCallError, match="another host"):
        run(azure_catalog, "azure/compute/VirtualMachines_ListAll",
            {"subscriptionId": SUB, "$filter": "evil"}, paging_server)
