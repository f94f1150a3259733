"""A stand-in for Volcano Engine's API gateway on 127.0.0.1, for tests: it checks each request's
HMAC-SHA256 signature the way the real gateway does (recomputed with the SDK's own signer
functions and the test's secret key), then answers the ``?Action=...&Version=...`` call with
``answer(action, params)`` -- canned data, or a forward to a Prism mock of the exported spec.
It records every request so tests can assert what went over the wire."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from volcenginesdkcore.signv4 import SignerV4

__all__ = ["AK", "EVENTS", "FLEET", "SK", "STOPPED", "Gateway", "gateway", "prism_answer",
           "volcengine_mock", "volcengine_mock_document"]

AK, SK = "AKLTtestaccesskey", "dGVzdHNlY3JldGtleQ=="
Answer = Callable[[str, str, dict[str, Any]], tuple[int, dict[str, Any]]]


def _verify(method: str, query: dict[str, str], headers: Any, body: bytes) -> str | None:
    """None when the signature is valid, else why not."""
    auth = headers.get("Authorization") or ""
    if not auth.startswith("HMAC-SHA256 Credential="):
        return "missing Authorization"
    fields = dict(part.strip().split("=", 1) for part in auth[len("HMAC-SHA256 "):].split(","))
    ak, date, region, service, _ = fields["Credential"].split("/")
    if ak != AK:
        return "InvalidAccessKey"
    signed = fields["SignedHeaders"].split(";")
    lines = "".join(f"{name}:{headers.get(name)}\n" for name in signed)
    body_hash = hashlib.sha256(body).hexdigest()
    canonical = "\n".join([method, "/", SignerV4.canonical_query(query), lines,
                           fields["SignedHeaders"], body_hash])
    stamp = headers.get("X-Date") or ""
    scope = "/".join([date, region, service, "request"])
    to_sign = "\n".join(["HMAC-SHA256", stamp, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = SignerV4.get_signing_secret_key_v4(SK, date, region, service)
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return None if hmac.compare_digest(expected, fields["Signature"]) else "SignatureDoesNotMatch"


class Gateway:
    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[dict[str, Any]] = []
        self.url = ""


def _handler(gw: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return

        def _serve(self) -> None:
            split = urlsplit(self.path)
            query = dict(parse_qsl(split.query, keep_blank_values=True))
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            problem = _verify(self.command, query, self.headers, body)
            action, version = query.pop("Action", ""), query.pop("Version", "")
            if self.command == "POST" and body and "json" in (self.headers.get("Content-Type")
                                                              or ""):
                params: dict[str, Any] = json.loads(body)
            elif self.command == "POST":
                params = dict(parse_qsl(body.decode()))
            else:
                params = dict(query)
            scope = (self.headers.get("Authorization") or "").split("/")
            gw.requests.append({"method": self.command, "action": action, "version": version,
                                "params": params, "service": scope[3] if len(scope) > 3 else "",
                                "region": scope[2] if len(scope) > 2 else "",
                                "signature": problem or "ok"})
            if problem:
                status, payload = 401, {"ResponseMetadata": {
                    "Action": action, "Error": {"Code": problem, "Message": problem}}}
            else:
                status, payload = gw.answer(action, self.command, params)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve

    return Handler


@contextmanager
def gateway(answer: Answer) -> Iterator[Gateway]:
    gw = Gateway(answer)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(gw))
    gw.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gw
    finally:
        server.shutdown()
        server.server_close()


def _unflatten(params: dict[str, Any]) -> list[tuple[str, str]]:
    """``InstanceIds.1=a&InstanceIds.2=b`` -> ``InstanceIds=a&InstanceIds=b`` (OpenAPI's
    exploded form); nested ``Tag.1.Key`` fields are passed on as sent."""
    out = []
    for key, value in params.items():
        head, _, index = key.rpartition(".")
        out.append((head, value) if head and index.isdigit() and "." not in head else
                   (key, value))
    return out


def prism_answer(prism_url: str, doc: dict[str, Any], seen: list[dict[str, Any]]) -> Answer:
    """Answer RPC calls from Prism serving ``doc`` (exported by ``mcp-sre specs export``): the
    action's path and method come from the document; Prism's JSON becomes the ``Result`` of
    Volcano Engine's envelope, and a request Prism rejects becomes an ``InvalidParameter``."""
    import httpx

    routes = {op["x-mcp-sre-id"].rsplit("/", 1)[1]: (path, method)
              for path, item in doc["paths"].items() for method, op in item.items()}

    def answer(action: str, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        meta = {"RequestId": "prism", "Action": action}
        if action not in routes:
            return 404, {"ResponseMetadata": {**meta, "Error": {
                "Code": "InvalidActionOrVersion", "Message": f"{action} is not served"}}}
        path, verb = routes[action]
        if verb == "get":
            response = httpx.get(prism_url + path, params=_unflatten(params), timeout=30)
        else:
            response = httpx.request(verb.upper(), prism_url + path, json=params, timeout=30)
        seen.append({"action": action, "status": response.status_code})
        if response.status_code >= 400:
            return 400, {"ResponseMetadata": {**meta, "Error": {
                "Code": "InvalidParameter", "Message": response.text[:500]}}}
        return 200, {"ResponseMetadata": meta, "Result": response.json()}

    return answer


# The chosen Volcano Engine fleet of the tests and of the starter library's seed: four running
# instances with their CPU, one stopped, and three CloudMonitor events (two error-like).
FLEET = {"i-hot1": 91.0, "i-hot2": 85.5, "i-cold": 12.0, "i-edge": 80.0}
STOPPED = ["i-off"]
EVENTS = [{"ID": "e1", "EventType": "Ecs:InstanceOOMError", "Source": "ecs", "HappenTime": 300,
           "Region": "cn-beijing", "Detail": {"InstanceId": "i-hot1"}},
          {"ID": "e2", "EventType": "Ecs:InstanceStarted", "Source": "ecs", "HappenTime": 200,
           "Region": "cn-beijing", "Detail": {"InstanceId": "i-cold"}},
          {"ID": "e3", "EventType": "Clb:HealthCheckStatusChanged", "Source": "clb",
           "HappenTime": 100, "Region": "cn-beijing", "Detail": {"Status": "Unhealthy"}}]
MOCK_ONLY = ["volcengine/ecs/DescribeInstances", "volcengine/ecs/StopInstances",
             "volcengine/ecs/DescribeUserData", "volcengine/cloudmonitor/GetMetricData",
             "volcengine/cloudmonitor/ListEvents"]


def volcengine_mock_document(env: dict[str, str]) -> dict[str, Any]:
    """``mcp-sre specs export`` of the operations the fleet answers, with it as examples."""
    from click.testing import CliRunner
    from prism_mock import add_example, exported_openapi

    from mcp_sre.cli import main

    for source in ("volcengine-ecs", "volcengine-cloudmonitor"):
        result = CliRunner().invoke(main, ["specs", "sync", source], env=env)
        assert result.exit_code == 0, result.output
    doc = exported_openapi(["volcengine-ecs", "volcengine-cloudmonitor"], only=MOCK_ONLY,
                           env=env)
    fleet = [{"InstanceId": i, "InstanceName": f"web-{i[2:]}", "Status": "RUNNING",
              "ZoneId": "cn-beijing-a"} for i in FLEET]
    fleet += [{"InstanceId": i, "InstanceName": "old", "Status": "STOPPED"} for i in STOPPED]
    add_example(doc, "/DescribeInstances/2020-04-01/ecs/get/text_plain/", "get",
                {"Instances": fleet, "NextToken": ""})
    add_example(doc, "/GetMetricData/2018-01-01/cloudmonitor/post/application_json/", "post",
                {"Data": {"MetricDataResults": [
                    {"Dimensions": [{"Name": "ResourceID", "Value": i}],
                     "DataPoints": [{"Timestamp": 1, "Value": cpu - 1},
                                    {"Timestamp": 2, "Value": cpu + 1}]}
                    for i, cpu in FLEET.items()]}})
    add_example(doc, "/ListEvents/2018-01-01/cloudmonitor/post/application_json/", "post",
                {"Data": EVENTS, "PageNumber": 1, "PageSize": 100, "TotalCount": len(EVENTS)})
    return doc


@contextmanager
def volcengine_mock(workdir: Any, env: dict[str, str]) -> Iterator[tuple[Gateway, dict[str, str]]]:
    """Prism serving the fleet behind the signature-checking gateway; yields the gateway and
    the host settings that point the executor at it (test keys, no CLI config, no metadata)."""
    from prism_mock import start_prism

    doc = volcengine_mock_document(env)
    seen: list[dict[str, Any]] = []
    with start_prism(doc, workdir) as url, gateway(prism_answer(url, doc, seen)) as gw:
        gw.prism_calls = seen  # type: ignore[attr-defined]
        yield gw, {"VOLCENGINE_ACCESS_KEY": AK, "VOLCENGINE_SECRET_KEY": SK,
                   "VOLCENGINE_ENDPOINT_URL": gw.url, "VOLCENGINE_REGION": "cn-beijing",
                   "VOLCENGINE_CLI_CONFIG_FILE": str(workdir / "no-volcengine-config.json"),
                   "VOLCENGINE_ECS_METADATA_DISABLED": "true"}
