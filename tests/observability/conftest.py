"""Fixtures: log lines captured from the real structlog pipeline (restored afterwards)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mcp_sre.observability import configure_logging
from mcp_sre.observability.logs import SINK


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def log_lines() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """Configure JSON logging into a buffer; call the fixture's value to read the events."""
    buffer = io.StringIO()
    configure_logging(fmt="json", level="debug", stream=buffer)

    def read() -> list[dict[str, Any]]:
        SINK.flush()
        return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]

    read.raw = lambda: (SINK.flush(), buffer.getvalue())[1]  # type: ignore[attr-defined]
    yield read
    configure_logging(fmt="json", level="warning", stream=None)
