"""The programs that run tool code in the sandbox, and what a run of the test reports.

One harness for the code generator and the registry, so code that passes a generation round
passes registration. The test program is the code, then ``main`` wrapped to record its calls,
then the test, then every ``test*`` function called in order, then a failure if ``main`` was
never called and the first value it returned as the run's result (the tool's sample). A
registered tool runs as ``sre.result(main(**sre.inputs))``. Tracebacks of the combined program
are mapped back to the writer's ``code`` and ``test`` lines.
"""

from __future__ import annotations

import re
from typing import Any

from mcp_sre.sandbox.models import RunResult
from mcp_sre.toolcode.contract import test_names
from mcp_sre.toolcode.models import TestReport

__all__ = [
    "SAMPLE_CHARS",
    "TOOL_HARNESS",
    "build_test_program",
    "build_tool_program",
    "failure_location",
    "locate_line",
    "relabel_traceback",
    "run_test",
]

# Glue around the submitted code and test. Only ``sre`` and literal names are used (the static
# check refuses ``globals()``).
_MAIN_WRAPPER = """\
_registry_main = main
_registry_seen = []
def main(*args, **kwargs):
    value = _registry_main(*args, **kwargs)
    _registry_seen.append(value)
    return value
"""
_TEST_TAIL = """\
if not _registry_seen:
    raise AssertionError("the test never called main(); call it with example arguments")
print("tests passed; main() was called " + str(len(_registry_seen)) + " time(s)")
import json as _registry_json
_registry_sample = _registry_seen[0]
if len(_registry_json.dumps(_registry_sample, default=str)) > {sample_chars}:
    _registry_sample = "(too large to keep)"
sre.result({{"calls": len(_registry_seen), "sample": _registry_sample}})
"""
SAMPLE_CHARS = 4000

TOOL_HARNESS = "sre.result(main(**sre.inputs))\n"



_TRACE_LINE = re.compile(r'File "<sandbox>", line (\d+)')
_FRAME = re.compile(r'File "<(tool|test)>", line (\d+)[^\n]*\n\s*(.*)')
_LABELS = {"code": "tool", "test": "test"}


def build_test_program(code: str, test: str) -> str:
    """The program that runs the test against the live target (what registration runs)."""
    head = code.rstrip("\n") + "\n"
    calls = "".join(f"{name}()\n" for name in test_names(test))
    return (head + _MAIN_WRAPPER + test.rstrip("\n") + "\n" + calls
            + _TEST_TAIL.format(sample_chars=SAMPLE_CHARS))


def build_tool_program(code: str) -> str:
    """The program that runs a registered tool; the caller's arguments are the run's inputs."""
    return code.rstrip("\n") + "\n" + TOOL_HARNESS


def locate_line(code: str, test: str | None, line: int) -> tuple[str, int]:
    """Map a line of :func:`build_test_program`'s program (or, with ``test=None``, of
    :func:`build_tool_program`'s) back to ("code"|"test"|"harness", line in that part), so
    tracebacks point at what the writer wrote."""
    code_lines = (code.rstrip("\n") + "\n").count("\n")
    if line <= code_lines:
        return "code", line
    if test is not None:
        test_start = code_lines + _MAIN_WRAPPER.count("\n") + 1
        test_lines = (test.rstrip("\n") + "\n").count("\n")
        if test_start <= line < test_start + test_lines:
            return "test", line - test_start + 1
    return "harness", line


def relabel_traceback(stderr: str, code: str, test: str | None = None) -> str:
    """Traceback lines of the program -> ``<tool>`` / ``<test>`` line numbers (the harness's own
    glue lines show as ``<registry>``)."""
    def sub(m: re.Match[str]) -> str:
        part, line = locate_line(code, test, int(m.group(1)))
        if part == "harness":
            return 'File "<registry>", line 0'
        return f'File "<{_LABELS[part]}>", line {line}'

    return _TRACE_LINE.sub(sub, stderr or "")


def failure_location(trace: str) -> str:
    """`` (at test line 4: assert r["words"] == 7)`` for the innermost frame of the tool or test
    in a relabelled traceback; empty when there is none."""
    frames = _FRAME.findall(trace or "")
    if not frames:
        return ""
    where, line, source = frames[-1]
    return f" (at {where} line {line}: {source.strip()[:200]})"


def run_test(sandbox: Any, code: str, test: str, *, providers: list[str] | None = None,
             timeout_s: float) -> tuple[TestReport, RunResult | None]:
    """Run ``test`` against ``code`` in ``sandbox`` (a :class:`~mcp_sre.sandbox.Sandbox`);
    the report says whether it passed and why not, the run is the sandbox's own record (None
    when the test does not parse)."""
    import ast

    try:
        ast.parse(test)
    except SyntaxError as exc:
        return TestReport(passed=False, error=f"syntax error in the test: {exc.msg}"), None
    run = sandbox.run(build_test_program(code, test), providers=providers,
                      timeout_s=timeout_s, allow_writes=False)
    ops = [c.operation for c in run.calls if c.decision == "allowed"]
    trace = relabel_traceback(run.stderr, code, test)
    report = TestReport(passed=run.ok, tests=test_names(test), duration_ms=run.duration_ms,
                        operations=list(dict.fromkeys(ops)), stderr=trace[-3000:])
    if not run.ok:
        message = f"{run.error.type}: {run.error.message}" if run.error else "failed"
        report.error = message.rstrip(": ") + failure_location(trace)
    elif not isinstance(run.result, dict) or not run.result.get("calls"):
        report.passed = False
        report.error = "the test never called main(); call it with example arguments"
    else:
        report.sample = run.result.get("sample")
    return report, run
