"""The simulated API server over HTTP on 127.0.0.1, and the kubeconfig that points at it.

It records every request (method, path, status, whether the bearer token matched) so tests can
show what reached the server and that the token stayed on the host side.
"""

from __future__ import annotations

import base64
import collections
import logging
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

from mcp_sre.config import atomic_write
from mcp_sre_kubernetes.sim.api import SimAPI, SimRequest, SimResponse
from mcp_sre_kubernetes.sim.routes import RouteTable, load_swagger
from mcp_sre_kubernetes.sim.scenario import Scenario, ScenarioError, load_scenario
from mcp_sre_kubernetes.sim.state import ClusterState
from mcp_sre_kubernetes.sim.tls import SelfSignedCert, make_cert
from mcp_sre_kubernetes.snapshot import default_swagger_path

__all__ = ["DEFAULT_TOKEN", "RecordedRequest", "SimServer", "default_swagger_path"]

log = logging.getLogger("mcp_sre.k8s_sim")
DEFAULT_TOKEN = "mcp-sre-sim-token"  # a dummy credential: it proves the host passes a token on


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server answered."""

    method: str
    path: str
    query: str
    code: int
    authorized: bool
    user_agent: str


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def _serve(self) -> None:
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        req = SimRequest(self.command, path, query, dict(self.headers.items()), body)
        sim = self.server.sim
        try:
            resp = sim.api.handle(req)
        except Exception as exc:  # a simulator bug must show as a 500, not a dropped socket
            log.exception("k8s-sim failed on %s %s", self.command, self.path)
            resp = SimResponse.json(500, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                          "status": "Failure", "reason": "InternalError",
                                          "message": f"{type(exc).__name__}: {exc}", "code": 500})
        sim.record(RecordedRequest(
            self.command, path, query, resp.code,
            req.header("Authorization") == f"Bearer {sim.token}" if sim.token else True,
            req.header("User-Agent")))
        self.send_response(resp.code)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(resp.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("k8s-sim %s - %s", self.address_string(), format % args)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    sim: SimServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # a client that drops the connection or speaks plain HTTP to the TLS port
        log.debug("k8s-sim: connection from %s failed", client_address, exc_info=True)


class SimServer:
    """A Kubernetes API endpoint for tests and demos. Use as a context manager, or call
    :meth:`start` / :meth:`stop`."""

    def __init__(
        self,
        scenario: Scenario | str | Path | None = "crashloop",
        *,
        swagger: str | Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = DEFAULT_TOKEN,
        tls: bool = True,
    ) -> None:
        swagger_path = Path(swagger) if swagger else default_swagger_path()
        if not swagger_path.is_file():
            raise ScenarioError(f"Kubernetes swagger not found at {swagger_path}",
                                hint="run `mcp-sre specs sync kubernetes` or pass --swagger FILE")
        swagger_bytes = swagger_path.read_bytes()
        routes = RouteTable.from_swagger(load_swagger(swagger_path))
        if scenario is not None and not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)
        self.scenario = scenario
        self.state = ClusterState(routes, scenario)
        self.token = token
        self.requests: collections.deque[RecordedRequest] = collections.deque(maxlen=10000)
        self._lock = threading.Lock()
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.sim = self
        self.cert: SelfSignedCert | None = None
        if tls:  # client-go (kubectl) sends bearer tokens only over TLS
            self.cert = make_cert(host)
            self._httpd.socket = self.cert.server_context().wrap_socket(
                self._httpd.socket, server_side=True, do_handshake_on_connect=False)
        self.api = SimAPI(self.state, swagger_bytes, token, lambda: self.address)
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"{host}:{port}"

    @property
    def url(self) -> str:
        return f"{'https' if self.cert else 'http'}://{self.address}"

    def record(self, entry: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(entry)

    def requests_matching(self, method: str | None = None, path_part: str = "") -> list[
            RecordedRequest]:
        with self._lock:
            return [r for r in self.requests
                    if (method is None or r.method == method) and path_part in r.path]

    def start(self) -> SimServer:
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever,
                                            name="k8s-sim", daemon=True)
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def kubeconfig(self, *, context: str = "k8s-sim", namespace: str = "default") -> dict[str, Any]:
        user: dict[str, Any] = {"token": self.token} if self.token else {}
        cluster: dict[str, Any] = {"server": self.url}
        if self.cert:
            cluster["certificate-authority-data"] = base64.b64encode(self.cert.cert_pem).decode()
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": context, "cluster": cluster}],
            "users": [{"name": f"{context}-reader", "user": user}],
            "contexts": [{"name": context, "context": {
                "cluster": context, "user": f"{context}-reader", "namespace": namespace}}],
            "current-context": context,
            "preferences": {},
        }

    def write_kubeconfig(self, path: str | Path, **kwargs: Any) -> Path:
        path = Path(path).expanduser()
        atomic_write(path, yaml.safe_dump(self.kubeconfig(**kwargs), sort_keys=False))
        path.chmod(0o600)
        return path
