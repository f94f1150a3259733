"""Serving the metrics: a ``/metrics`` route for the HTTP transports, and a standalone
listener (``--metrics-port``) for stdio.

Exposition is generated in a worker thread (scrape-time gauges may read the spec store), so a
scrape never blocks the event loop.
"""

from __future__ import annotations

import errno
import threading
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
    """``/metrics`` on its own port, served by a daemon thread (for the stdio transport)."""

    def __init__(self, registry: CollectorRegistry, port: int, host: str = "127.0.0.1") -> None:
        from prometheus_client import start_http_server

        try:
            self.server, self.thread = start_http_server(port, addr=host, registry=registry)
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
        self.port = self.server.server_address[1]

    def close(self) -> None:
        """Stop listening; a scrape in flight finishes or gets a closed connection."""
        threading.Thread(target=self.server.shutdown, daemon=True).start()
        self.server.server_close()
