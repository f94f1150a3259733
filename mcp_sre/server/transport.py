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
            if not hmac.compare_digest(given, self.expected):
                body = b'{"error":"unauthorized","message":"missing or wrong bearer token"}'
                await send({"type": "http.response.start", "status": 401, "headers": [
                    (b"content-type", b"application/json"),
                    (b"www-authenticate", b'Bearer realm="mcp-sre"'),
                    (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def run_server(transport: str = "stdio", host: str = "127.0.0.1", port: int = 8000,
               token: str | None = None) -> None:
    """Serve until interrupted."""
    if transport == "stdio":
        build_server().run("stdio")
        return
    if not _is_loopback(host) and not token:
        raise McpSreError(f"refusing to serve on {host} without a token",
                          hint="set --token or MCP_SRE_TOKEN, or bind to 127.0.0.1")
    import uvicorn

    mcp = build_server(host=host, port=port)
    app = mcp.sse_app() if transport == "sse" else mcp.streamable_http_app()
    if token:
        app = BearerTokenMiddleware(app, token)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    uvicorn.Server(config).run()
