"""Structured logs: ids tie events together, secrets never reach the output, files fall back."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import anyio
import pytest

from mcp_sre import observability
from mcp_sre.observability import Observability, configure_logging, get_logger
from mcp_sre.observability.logs import SINK

pytestmark = pytest.mark.anyio

SECRETS = {
    "aws_key": "AKIAIOSFODNN7EXAMPLE",
    "aws_secret": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "openai": "sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e",
    "bearer": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzcmUifQ.c2lnbmF0dXJlLXN0YW5kLWlu",
    "password": "correct-horse-battery-staple",
}


async def test_request_and_run_ids_tie_events_across_threads(log_lines) -> None:
    obs = Observability()

    async def work() -> str:
        log = get_logger("mcp_sre.test")
        log.info("in_request")
        with observability.agent_run("health") as run:
            with run.step("gather", provider="p1"):
                await anyio.to_thread.run_sync(lambda: log.info("in_worker_thread"))
            run.decision("rule_matched", rule="r1")
        return "done"

    assert await obs.tool_call("some_tool", work) == "done"
    events = {e["event"]: e for e in log_lines()}
    request_id = events["tool_call"]["request_id"]
    assert events["tool_call"]["outcome"] == "ok" and events["tool_call"]["tool"] == "some_tool"
    for name in (
        "in_request",
        "agent_run_started",
        "in_worker_thread",
        "agent_step",
        "agent_decision",
        "agent_run_finished",
    ):
        assert events[name]["request_id"] == request_id, name
    run_id = events["agent_run_started"]["run_id"]
    assert events["in_worker_thread"]["run_id"] == run_id
    assert "run_id" not in events["in_request"]  # the run began after it
    assert events["agent_run_finished"]["steps"] == 1


async def test_each_tool_call_gets_its_own_request_id(log_lines) -> None:
    obs = Observability()

    async def ok() -> int:
        return 1

    async def fails() -> int:
        raise RuntimeError("boom")

    await obs.tool_call("a", ok)
    with pytest.raises(RuntimeError):
        await obs.tool_call("b", fails)
    calls = [e for e in log_lines() if e["event"] == "tool_call"]
    assert [c["outcome"] for c in calls] == ["ok", "error"]
    assert calls[0]["request_id"] != calls[1]["request_id"]
    assert "boom" in calls[1]["error"]


def test_secrets_are_never_logged(log_lines) -> None:
    log = get_logger("mcp_sre.test")
    log.info(
        "login",
        password=SECRETS["password"],
        api_key=SECRETS["openai"],
        headers={"Authorization": f"Bearer {SECRETS['bearer']}"},
        detail=f"aws_access_key_id={SECRETS['aws_key']} secret_access_key={SECRETS['aws_secret']}",
    )
    log.info(
        "env",
        env={
            "AWS_SECRET_ACCESS_KEY": SECRETS["aws_secret"],
            "AWS_SESSION_TOKEN": SECRETS["bearer"],
        },
    )
    log.info("url", url=f"https://api.example.test/v1?api_key={SECRETS['openai']}")
    log.info("pem", body="-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----")
    logging.getLogger("mcp_sre.test.stdlib").warning(
        "calling with Authorization: Bearer %s", SECRETS["bearer"]
    )
    log.info("pagination", next_token="page-2-token-abcdef", input_tokens=12)
    raw = log_lines.raw()
    for name, secret in SECRETS.items():
        assert secret not in raw, name
    assert "PRIVATE KEY-----\nMIIEow" not in raw and "MIIEow" not in raw
    events = {e["event"]: e for e in log_lines()}
    assert events["pagination"]["next_token"] == "page-2-token-abcdef"  # not a secret
    assert events["pagination"]["input_tokens"] == 12


def test_unwritable_log_file_falls_back_to_stderr(tmp_path: Path, capsys) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where a folder should be")
    try:
        problem = configure_logging(fmt="json", level="info", file=blocked / "mcp-sre.log")
        assert problem and "cannot be written" in problem
        get_logger("mcp_sre.test").info("still_logged", n=1)
        SINK.flush()
        err = capsys.readouterr().err
        assert "log_file_unwritable" in err and "still_logged" in err
    finally:
        configure_logging(fmt="json", level="warning")


def test_log_file_and_console_format(tmp_path: Path) -> None:
    target = tmp_path / "logs" / "mcp-sre.log"
    try:
        assert configure_logging(fmt="console", level="info", file=target) is None
        get_logger("mcp_sre.test").info("to_file", answer=42)
        SINK.flush()
        text = target.read_text()
        assert "to_file" in text and "answer=42" in text and not text.startswith("{")
    finally:
        configure_logging(fmt="json", level="warning")


def test_stdout_is_never_a_log_target() -> None:
    try:
        configure_logging(fmt="json", level="info", stream=sys.stdout)
        assert SINK._target is sys.stderr
    finally:
        configure_logging(fmt="json", level="warning")
