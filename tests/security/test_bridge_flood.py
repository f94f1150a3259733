"""Red team (issue 20, items 6-9): bridge floods, malformed requests, aborts and hangs.

Before the fix only allowed calls counted against the budget, so a loop of invalid calls
with huge operation names wrote megabytes of audit log per call and kept every record in the
run result; an oversized or unparsable request line (a 5,000-digit integer) was taken for output
and the guest waited until its timeout; a failing audit write failed a call that had succeeded.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from mcp_sre import hookimpl
from mcp_sre.config import load_settings
from mcp_sre.errors import NotFoundError
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.sandbox import Sandbox
from mcp_sre.sandbox.policy import PolicyConfig
from mcp_sre.specs.model import APISpec, Parameter, SourceInfo

_INFO = SourceInfo(url="memory://rt", format="test")
SPECS = {s.id: s for s in [
    APISpec(id="rt/svc/Echo", name="Echo", provider="rt", service="svc", access="read",
            source=_INFO, parameters=[Parameter(name="v", location="body", type="object")]),
    APISpec(id="rt/svc/Slow", name="Slow", provider="rt", service="svc", access="read",
            source=_INFO),
]}


class _Plugin:
    @hookimpl
    def execute_operation(self, spec: APISpec, params: dict[str, Any], context: dict) -> Any:
        if spec.provider != "rt":
            return None
        if spec.name == "Slow":
            time.sleep(3)
        return {"echo": params}


def _lookup(op_id: str) -> APISpec:
    if op_id not in SPECS:
        raise NotFoundError(f"no operation {op_id!r}")
    return SPECS[op_id]


@pytest.fixture(scope="module")
def box(module_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    pm = make_plugin_manager(only=set(), extra=[_Plugin()])
    return Sandbox(load_settings(home=tmp_path_factory.mktemp("rt-home")), pm, _lookup,
                   module_dir=module_dir, policy=PolicyConfig(max_calls_per_run=40))


FLOOD = """
import sre
name = "rt/svc/" + "A" * 200000
n = 0
while n < 5000:
    n += 1
    try:
        sre.request(name, {"k": "x" * 50000})
    except Exception as exc:
        last = type(exc).__name__
print(n)
"""


def test_a_flood_of_invalid_calls_is_bounded(box: Sandbox) -> None:
    audit = box.audit.path if box.audit else None
    before = audit.stat().st_size if audit and audit.exists() else 0
    started = time.monotonic()
    result = box.run(FLOOD, timeout_s=60)
    assert time.monotonic() - started < 30
    assert result.error is not None and result.error.type == "policy_denied"
    assert "flood" in result.error.message or "budget" in result.error.message
    assert len(result.calls) <= 41  # the budget, plus one record saying it ran out
    assert len(result.model_dump_json()) < 200_000
    assert all(len(c.operation) < 400 for c in result.calls)
    assert audit is not None and audit.stat().st_size - before < 200_000


@pytest.mark.parametrize(("code", "expected"), [
    # a request line over the 1 MiB limit
    ('import sre\ntry:\n    sre.request("rt/svc/Echo", {"v": {"x": "y" * 3000000}})\n'
     'except Exception as exc:\n    print(type(exc).__name__, str(exc)[:60])',
     "ParamValidationError a bridge request of"),
    # a 5,000-digit integer: the host's JSON reader refuses it
    ('import sys, sre\nsys.set_int_max_str_digits(0)\ntry:\n'
     '    sre.request("rt/svc/Echo", {"v": {"n": 10 ** 5000}})\n'
     'except Exception as exc:\n    print(type(exc).__name__, str(exc)[:60])',
     "ParamValidationError the bridge request is not valid JSON"),
    # an unknown operation, ten times
    ('import sre\nfor i in range(10):\n    try:\n        sre.request("rt/svc/Nope", {})\n'
     '    except Exception as exc:\n        last = type(exc).__name__\nprint(last)',
     "OperationNotFound"),
])
def test_malformed_requests_get_an_immediate_error(box: Sandbox, code: str,
                                                   expected: str) -> None:
    started = time.monotonic()
    result = box.run(code, timeout_s=30)
    assert time.monotonic() - started < 10, result
    assert result.stdout.startswith(expected), result


def test_timeout_while_waiting_for_the_bridge_then_healthy(box: Sandbox) -> None:
    result = box.run('import sre\nsre.request("rt/svc/Slow")', timeout_s=1)
    assert result.error is not None and result.error.type == "timeout"
    again = box.run('import sre\nprint(sre.request("rt/svc/Echo", {"v": {"a": 1}}))')
    assert again.ok, again.error


def test_cancel_stops_a_run_waiting_for_the_bridge(box: Sandbox) -> None:
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    result = box.run('import sre\nsre.request("rt/svc/Slow")\nsre.request("rt/svc/Slow")',
                     timeout_s=30, cancel=cancel)
    assert result.error is not None and result.error.type == "cancelled"
    assert time.monotonic() - started < 4


def test_a_failing_audit_write_is_not_a_failed_call(module_dir: Path, tmp_path: Path) -> None:
    pm = make_plugin_manager(only=set(), extra=[_Plugin()])
    box = Sandbox(load_settings(home=tmp_path), pm, _lookup, module_dir=module_dir)
    assert box.audit is not None
    box.audit.path.mkdir(parents=True)  # a directory where the log file should be
    result = box.run('import sre\nprint(sre.request("rt/svc/Echo", {"v": {"a": 1}}))')
    assert result.ok, result.error
    assert result.calls[0].decision == "allowed" and result.calls[0].error is None
    assert "audit log could not be written" in result.stderr
    assert json.loads(result.stdout.replace("'", '"')) == {"echo": {"v": {"a": 1}}}


def test_a_failing_stats_write_is_not_a_failed_tool_call(reg_settings, sandbox,
                                                          word_count) -> None:
    """Item 9's class for the registry: the call succeeded; its bookkeeping did not."""
    from mcp_sre.registry import ToolRegistry

    registry = ToolRegistry(reg_settings, sandbox=sandbox)
    registry.register(**word_count)
    stats = Path(registry.stats.path)
    if stats.exists():
        stats.unlink()
    stats.mkdir(parents=True)  # a directory where the database should be
    assert registry.call("word_count", {"text": "a b a"})["words"] == 3
