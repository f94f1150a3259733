"""Red team (issue 20, item 3): loopback is not only 127.0.0.1.

Before the fix ``--host 127.0.0.2`` served without a token and without Origin/Host checks, so
a DNS-rebinding page could drive ``run_code``. Now only the default loopback names serve
without a token, and every bind checks Host and Origin.
"""

from __future__ import annotations

import httpx
import pytest

from mcp_sre.errors import McpSreError
from mcp_sre.server.transport import OriginHostMiddleware, _is_loopback, run_server


@pytest.mark.parametrize("host", ["127.0.0.2", "127.1.2.3", "::ffff:127.0.0.1", "0.0.0.0",
                                  "10.0.0.1", "::"])
def test_non_default_binds_need_a_token(host: str) -> None:
    assert not _is_loopback(host)
    with pytest.raises(McpSreError, match="without a token"):
        run_server("streamable-http", host=host, port=1)


async def _ok(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def _status(app, host: str, origin: str | None = None) -> int:
    headers = {"host": host}
    if origin:
        headers["origin"] = origin
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        return (await client.get("http://x/mcp", headers=headers)).status_code


@pytest.mark.anyio
@pytest.mark.parametrize("bind", ["127.0.0.1", "127.0.0.2", "10.0.0.1"])
async def test_every_bind_checks_host_and_origin(bind: str) -> None:
    app = OriginHostMiddleware(_ok, bind)
    assert await _status(app, f"{bind}:8000") == 200
    assert await _status(app, "evil.example:8000") == 403  # rebinding: Host names the attacker
    assert await _status(app, f"{bind}:8000", origin="http://evil.example") == 403
    assert await _status(app, f"{bind}:8000", origin=f"http://{bind}:8000") == 200


@pytest.mark.anyio
async def test_allow_lists_extend_the_checks() -> None:
    app = OriginHostMiddleware(_ok, "10.0.0.1", allowed_hosts=["sre.internal"],
                               allowed_origins=["https://console.internal"])
    assert await _status(app, "sre.internal:8000") == 200
    assert await _status(app, "sre.internal", origin="https://console.internal") == 200
    assert await _status(app, "sre.internal", origin="https://other.internal") == 403
