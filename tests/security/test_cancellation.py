"""Red team (issue 20, item 7): a cancelled ``run_code`` request stops its sandbox run.

Before the fix the worker thread was abandoned and the program ran on until its own timeout
(up to 600 s of CPU per cancelled request). Now the request's cancellation sets the run's
cancel event and the watchdog stops the guest at once.
"""

from __future__ import annotations

import threading
import time

import anyio
import pytest
from mcp.types import CancelledNotification, CancelledNotificationParams, ClientNotification

from mcp_sre.server import ServerState, build_server
from mcp_sre.server.sdk import connected_session

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _watchdogs() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("mcp-sre-watchdog-")]


async def test_cancelled_run_code_stops_the_guest(reg_settings, sandbox) -> None:
    state = ServerState(reg_settings)
    state.__dict__["sandbox"] = sandbox
    async with connected_session(build_server(state)) as client:
        request_id = client._request_id  # the id the next request gets

        async def call() -> None:
            try:
                await client.call_tool("run_code", {"code": "while True:\n    pass",
                                                    "timeout_s": 120})
            except Exception:
                pass

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(call)
            with anyio.fail_after(20):
                while not _watchdogs():
                    await anyio.sleep(0.05)
            await client.send_notification(ClientNotification(CancelledNotification(
                params=CancelledNotificationParams(requestId=request_id, reason="test"))))
            started = time.monotonic()
            with anyio.fail_after(10):
                while _watchdogs():
                    await anyio.sleep(0.05)
            assert time.monotonic() - started < 5
            tasks.cancel_scope.cancel()
