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

from mcp_sre.server import ServerState, build_server
from mcp_sre.server.sdk import connected_session

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _watchdogs() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("mcp-sre-watchdog-")]


async def test_cancelled_run_code_stops_the_guest(reg_settings, sandbox) -> None:
    """The client abandons the call (its task is cancelled): the SDK sends
    ``notifications/cancelled`` and the server must stop the guest, not let it run on."""
    state = ServerState(reg_settings)
    state.__dict__["sandbox"] = sandbox
    async with connected_session(build_server(state)) as client:
        with anyio.CancelScope() as call_scope:
            async with anyio.create_task_group() as tasks:
                async def call() -> None:
                    await client.call_tool("run_code", {"code": "while True:\n    pass",
                                                        "timeout_s": 120})

                tasks.start_soon(call)
                with anyio.fail_after(20):
                    while not _watchdogs():
                        await anyio.sleep(0.05)
                call_scope.cancel()
        started = time.monotonic()
        with anyio.fail_after(10):
            while _watchdogs():
                await anyio.sleep(0.05)
        assert time.monotonic() - started < 5

