"""Serving the metrics: a ``/metrics`` route for the HTTP transports, and a standalone
listener (``--metrics-port``) for stdio.

Exposition is generated in a worker thread (scrape-time gauges may read the spec store), so a
scrape never blocks the event loop.
"""

from __future__ import annotations

import errno
import json
import socket
import threading
from collections.abc import Callable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from mcp_sre.errors import McpSreError

__all__ = ["MetricsServer", "metrics_route"]


def metrics_route(registry: CollectorRegistry) -> Any:
    """A Starlette endpoint serving ``registry`` in the Prometheus text format."""
    import anyio
    from starlette.responses import Response

    async def metrics(request: Any) -> Response:
        body = await anyio.to_thread.run_sync(generate_latest, registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return metrics


async def healthz(request: Any) -> Any:
    """Liveness/readiness for probes: the process serves HTTP."""
    from starlette.responses import PlainTextResponse

    return PlainTextResponse("ok\n")


class MetricsServer:
    """``/metrics`` on its own port, served by a daemon thread (for the stdio transport).

    ``guard(environ)`` -- given by the server, which owns the binding rules -- returns
    ``(status, message)`` to refuse a request (wrong Host/Origin, missing token) or ``None``."""

    def __init__(self, registry: CollectorRegistry, port: int, host: str = "127.0.0.1",
                 guard: Callable[[dict[str, Any]], tuple[int, str] | None] | None = None
                 ) -> None:
        from wsgiref.simple_server import make_server

        from prometheus_client import make_wsgi_app
        from prometheus_client.exposition import ThreadingWSGIServer, _SilentHandler

        metrics = make_wsgi_app(registry)

        def app(environ: dict[str, Any], start_response: Any) -> Any:
            refused = guard(environ) if guard is not None else None
            if refused is not None:
                status, message = refused
                body = json.dumps({"error": "refused", "message": message}).encode()
                reason = "Unauthorized" if status == 401 else "Forbidden"
                start_response(f"{status} {reason}", [("Content-Type", "application/json"),
                                                      ("Content-Length", str(len(body)))])
                return [body]
            return metrics(environ, start_response)

        class Server(ThreadingWSGIServer):
            address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

        try:
            self.server = make_server(host, port, app, Server, handler_class=_SilentHandler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise McpSreError(
                    f"metrics port {port} on {host} is already in use",
                    hint="pick another --metrics-port, or stop what listens there",
                ) from exc
            raise McpSreError(
                f"cannot serve metrics on {host}:{port}: {exc.strerror or exc}",
                hint="check --metrics-port and the bind address",
            ) from exc
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True,
                                       name="mcp-sre-metrics")
        self.thread.start()
        self.port = self.server.server_address[1]

    def close(self) -> None:
        """Stop listening; a scrape in flight finishes or gets a closed connection."""
        threading.Thread(target=self.server.shutdown, daemon=True).start()
        self.server.server_close()
