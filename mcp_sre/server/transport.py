"""Run the server on stdio, SSE or streamable HTTP; guard HTTP with a bearer token."""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Iterable
from typing import Any

from mcp_sre.errors import McpSreError
from mcp_sre.server import build_server

__all__ = ["BearerTokenMiddleware", "OriginHostMiddleware", "metrics_guard", "require_token",
           "run_server"]

log = logging.getLogger("mcp_sre.server")


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


def metrics_guard(host: str, token: str | None, allowed_hosts: Iterable[str] = (),
                  allowed_origins: Iterable[str] = ()) -> Any:
    """The rules of the MCP endpoint for the ``--metrics-port`` listener (a WSGI environ ->
    ``(status, message)`` of a refusal, or ``None``)."""
    checks = OriginHostMiddleware(None, host, allowed_hosts, allowed_origins)
    expected = f"Bearer {token}".encode() if token else None

    def guard(environ: dict[str, Any]) -> tuple[int, str] | None:
        if checks.refuses(environ.get("HTTP_HOST", ""), environ.get("HTTP_ORIGIN", "")):
            return 403, "Host or Origin not allowed"
        given = environ.get("HTTP_AUTHORIZATION", "").encode("latin-1")
        if expected is not None and not hmac.compare_digest(given, expected):
            return 401, "missing or wrong bearer token"
        return None

    return guard


def require_token(host: str, token: str | None, no_token: bool, what: str | None) -> None:
    """Anything but the default loopback needs a token, or a person's explicit opt-out."""
    if what is None or _is_loopback(host) or token:
        return
    if not no_token:
        raise McpSreError(f"refusing to {what} on {host} without a token",
                          hint="set --token or MCP_SRE_TOKEN, bind to 127.0.0.1 (any other "
                          "address, other loopback addresses included, needs a token), or "
                          "opt out explicitly with --no-token")
    log.warning("serving on %s WITHOUT a token (--no-token): anyone who can reach it can run "
                "code against your clouds", host)


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

    def refuses(self, host: str, origin: str) -> bool:
        """Whether a request with these ``Host`` and ``Origin`` headers is refused."""
        bad_host = self.hosts is not None and _host_name(host) not in self.hosts
        return bad_host or bool(origin and not self._origin_ok(origin))

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            host = headers.get(b"host", b"").decode("latin-1")
            origin = headers.get(b"origin", b"").decode("latin-1")
            if self.refuses(host, origin):
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
               allowed_origins: Iterable[str] = (), no_token: bool = False) -> None:
    """Serve until interrupted. Logs go to stderr (or the configured file), never stdout;
    ``metrics_port`` serves ``/metrics`` on its own port (the HTTP transports also serve it
    on their own port) under the same rules as the MCP endpoint: Host/Origin checked on every
    bind, and anything but the default loopback needs the token -- or ``no_token``, a person's
    explicit opt-out (``mcp-sre serve --no-token``)."""
    from mcp_sre.config import load_settings
    from mcp_sre.home_check import check_home
    from mcp_sre.observability import configure_logging
    from mcp_sre.server import ServerState

    require_token(host, token, no_token, what="serve" if transport != "stdio" else None)
    metrics_host = "127.0.0.1" if transport == "stdio" else host
    if metrics_port is not None:
        require_token(metrics_host, token, no_token, what="serve metrics")
    settings = load_settings()
    check_home(settings.home)  # one clear message now, not errno/sqlite errors on every call
    if all_tools:
        settings.tool_budget = None
    state = ServerState(settings)
    mcp = build_server(state)
    configure_logging(fmt=settings.log_format, level=settings.log_level, file=settings.log_file)
    metrics_server = None
    if metrics_port is not None and state.observability.metrics is not None:
        from mcp_sre.observability.serving import MetricsServer

        metrics_server = MetricsServer(
            state.observability.metrics.registry, metrics_port, metrics_host,
            guard=metrics_guard(metrics_host, token, allowed_hosts, allowed_origins))
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
