"""Run the server on stdio, SSE or streamable HTTP; guard HTTP with a bearer token."""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from mcp_sre.errors import McpSreError
from mcp_sre.server import build_server

__all__ = ["BearerTokenMiddleware", "run_server"]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class BearerTokenMiddleware:
    """ASGI middleware: every HTTP request must carry ``Authorization: Bearer <token>``."""

    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            given = headers.get(b"authorization", b"")
            if scope.get("path") != "/healthz" and not hmac.compare_digest(given, self.expected):
                body = b'{"error":"unauthorized","message":"missing or wrong bearer token"}'
                await send({"type": "http.response.start", "status": 401, "headers": [
                    (b"content-type", b"application/json"),
                    (b"www-authenticate", b'Bearer realm="mcp-sre"'),
                    (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def run_server(transport: str = "stdio", host: str = "127.0.0.1", port: int = 8000,
               token: str | None = None, *, metrics_port: int | None = None,
               all_tools: bool = False) -> None:
    """Serve until interrupted. Logs go to stderr (or the configured file), never stdout;
    ``metrics_port`` serves ``/metrics`` on its own port (the HTTP transports also serve it
    on their own port)."""
    from mcp_sre.config import load_settings
    from mcp_sre.observability import configure_logging
    from mcp_sre.server import ServerState

    if transport != "stdio" and not _is_loopback(host) and not token:
        raise McpSreError(f"refusing to serve on {host} without a token",
                          hint="set --token or MCP_SRE_TOKEN, or bind to 127.0.0.1")
    settings = load_settings()
    if all_tools:
        settings.tool_budget = None
    state = ServerState(settings)
    options = {} if transport == "stdio" else {"host": host, "port": port}
    mcp = build_server(state, **options)
    configure_logging(fmt=settings.log_format, level=settings.log_level, file=settings.log_file)
    metrics_server = None
    if metrics_port is not None and state.observability.metrics is not None:
        from mcp_sre.observability.serving import MetricsServer

        metrics_server = MetricsServer(state.observability.metrics.registry, metrics_port,
                                       "127.0.0.1" if transport == "stdio" else host)
    try:
        if transport == "stdio":
            mcp.run("stdio")
            return
        import uvicorn

        app = mcp.sse_app() if transport == "sse" else mcp.streamable_http_app()
        if token:
            app = BearerTokenMiddleware(app, token)
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
        uvicorn.Server(config).run()
    finally:
        if metrics_server is not None:
            metrics_server.close()
        state.observability.close()
