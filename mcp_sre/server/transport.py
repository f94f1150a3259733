"""Run the server on stdio, SSE or streamable HTTP; guard HTTP with a bearer token."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable
from typing import Any

from mcp_sre.errors import McpSreError
from mcp_sre.server import build_server

__all__ = ["BearerTokenMiddleware", "OriginHostMiddleware", "run_server"]


DEFAULT_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def _is_loopback(host: str) -> bool:
    """Only the default loopback names serve without a token: any other address (127.0.0.2
    included) may be reachable from a DNS-rebinding page or another host."""
    if host in DEFAULT_LOOPBACK:
        return True
    try:
        return str(ipaddress.ip_address(host)) in DEFAULT_LOOPBACK
    except ValueError:
        return False


def _host_name(value: str) -> str:
    """``host[:port]`` or ``[v6]:port`` -> the host, lower-cased."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class OriginHostMiddleware:
    """ASGI middleware on every HTTP bind: the ``Host`` header must name the bound address (or
    an allowed host) and a browser ``Origin``, when sent, must name one too -- so a
    DNS-rebinding page cannot drive the server whatever address it listens on."""

    def __init__(self, app: Any, host: str, allowed_hosts: Iterable[str] = (),
                 allowed_origins: Iterable[str] = ()) -> None:
        self.app = app
        names = {host.lower(), *(h.lower() for h in allowed_hosts)}
        if _is_loopback(host):
            names |= DEFAULT_LOOPBACK
        self.hosts: set[str] | None = {_host_name(h) for h in names}
        if host in ("0.0.0.0", "::") and not allowed_hosts:
            self.hosts = None  # a wildcard bind (token required) answers to any name
        self.origins = {o.rstrip("/").lower() for o in allowed_origins}

    def _origin_ok(self, origin: str) -> bool:
        origin = origin.rstrip("/").lower()
        if origin in self.origins:
            return True
        scheme, sep, rest = origin.partition("://")
        return bool(sep) and scheme in ("http", "https") and self.hosts is not None \
            and _host_name(rest) in self.hosts

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            host = headers.get(b"host", b"").decode("latin-1")
            origin = headers.get(b"origin", b"").decode("latin-1")
            bad_host = self.hosts is not None and _host_name(host) not in self.hosts
            if bad_host or (origin and not self._origin_ok(origin)):
                body = b'{"error":"forbidden","message":"Host or Origin not allowed"}'
                await send({"type": "http.response.start", "status": 403, "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


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
               all_tools: bool = False, allowed_hosts: Iterable[str] = (),
               allowed_origins: Iterable[str] = ()) -> None:
    """Serve until interrupted. Logs go to stderr (or the configured file), never stdout;
    ``metrics_port`` serves ``/metrics`` on its own port (the HTTP transports also serve it
    on their own port)."""
    from mcp_sre.config import load_settings
    from mcp_sre.observability import configure_logging
    from mcp_sre.server import ServerState

    if transport != "stdio" and not _is_loopback(host) and not token:
        raise McpSreError(f"refusing to serve on {host} without a token",
                          hint="set --token or MCP_SRE_TOKEN, or bind to 127.0.0.1 (any other "
                          "address, other loopback addresses included, needs a token)")
    settings = load_settings()
    if all_tools:
        settings.tool_budget = None
    state = ServerState(settings)
    mcp = build_server(state)
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

        # host: the SDK adds its own loopback Host/Origin check on a loopback bind, as in 1.x
        app = mcp.sse_app(host=host) if transport == "sse" else mcp.streamable_http_app(host=host)
        if token:
            app = BearerTokenMiddleware(app, token)
        app = OriginHostMiddleware(app, host, allowed_hosts, allowed_origins)
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
        uvicorn.Server(config).run()
    finally:
        if metrics_server is not None:
            metrics_server.close()
        state.observability.close()
