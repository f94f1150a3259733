"""The guest<->host wire, driven from the guest's side: JSON lines in through ``feed`` (as
wasmtime delivers them), framed marshal replies read back from the real FIFO."""

from __future__ import annotations

import json
import marshal
import os
from collections.abc import Iterator
from typing import Any

import pytest

from mcp_sre.sandbox.channel import Channel, Limits


class Guest:
    """The guest's end: writes JSON lines, reads ``<len> <more>\\n`` frames from stdin."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.fd = os.open(channel.fifo_path, os.O_RDONLY | os.O_NONBLOCK)

    def send(self, **msg: Any) -> None:
        self.channel.feed(json.dumps(msg).encode() + b"\n")

    def frame(self) -> tuple[bytes, bool]:
        header = b""
        while not header.endswith(b"\n"):
            header += os.read(self.fd, 1)
        size, more = (int(x) for x in header.split())
        body = b""
        while len(body) < size:
            body += os.read(self.fd, size - len(body))
        return body, bool(more)

    def reply(self) -> Any:
        data, more = self.frame()
        while more:
            self.send(t="more")
            chunk, more = self.frame()
            data += chunk
        return marshal.loads(data)


@pytest.fixture
def wire() -> Iterator[tuple[Channel, Guest, list[tuple[str, str]]]]:
    aborts: list[tuple[str, str]] = []
    channel = Channel(Limits(stdout=64, stderr=32, result=200),
                      handle_call=lambda m: {"ok": True, "echo": m["params"]},
                      handle_describe=lambda m: {"op": m["op"], "params": ["A", "B"]},
                      on_abort=lambda kind, why: aborts.append((kind, why)))
    guest = Guest(channel)
    yield channel, guest, aborts
    os.close(guest.fd)
    channel.close()
    assert not os.path.exists(channel.fifo_path)


def test_calls_and_describes_are_answered_in_order(wire) -> None:
    _channel, guest, aborts = wire
    guest.send(t="call", id=1, op="x/y/Z", params={"n": 1}, ctx={})
    assert guest.reply() == {"ok": True, "echo": {"n": 1}}
    guest.send(t="describe", id=2, op="x/y/Z")
    assert guest.reply() == {"op": "x/y/Z", "params": ["A", "B"]}
    assert not aborts


def test_a_long_reply_comes_in_chunks_the_guest_asks_for(wire) -> None:
    channel, guest, _ = wire
    big = {"rows": [os.urandom(50).hex() for _ in range(3 * channel.chunk // 100)]}
    channel.send(big)
    first, more = guest.frame()
    assert more and len(first) == channel.chunk
    rest = b""
    while more:
        guest.send(t="more")
        chunk, more = guest.frame()
        rest += chunk
    assert marshal.loads(first + rest) == big


def test_output_result_exit_and_raw_lines(wire) -> None:
    channel, guest, aborts = wire
    guest.send(t="out", s="stdout", d="hello\n")
    guest.send(t="out", s="stderr", d="warn\n")
    channel.feed(b"not json\n{\"t\": broken\n")
    guest.send(t="result", v={"count": 2})
    guest.send(t="exit", code=0)
    channel.feed(b"tail without newline")
    channel.flush_raw()
    assert channel.stdout.text() == "hello\nnot json\n{\"t\": broken\ntail without newline\n"
    assert channel.stderr.text() == "warn\n"
    assert channel.result_set and channel.result == {"count": 2}
    assert channel.exit == {"t": "exit", "code": 0} and not aborts


def test_caps_abort_the_run_with_the_reason(wire) -> None:
    channel, guest, aborts = wire
    guest.send(t="out", s="stdout", d="x" * 100)
    guest.send(t="result", v="y" * 300)
    channel.feed_stderr(b"e" * 40)
    kinds = [k for k, _ in aborts]
    assert kinds == ["output_limit", "output_limit", "output_limit"]
    assert "stdout exceeded 64" in aborts[0][1] and "200-byte limit" in aborts[1][1]
    assert not channel.result_set


def test_protocol_violation_is_reported_not_raised(wire) -> None:
    _channel, guest, aborts = wire
    guest.send(t="more")  # nothing pending
    assert aborts and aborts[0][0] == "sandbox_error" and "protocol violation" in aborts[0][1]
