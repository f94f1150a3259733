"""The harness maps a traceback of the combined program back to the writer's code and test."""

from __future__ import annotations

from mcp_sre.toolcode.harness import (
    build_test_program,
    build_tool_program,
    failure_location,
    relabel_traceback,
)

CODE = "def main(x: int = 1) -> int:\n    return 10 // x\n"
TEST = "def test_zero():\n    assert main(x=0) == 0\n"


def _line_of(program: str, text: str) -> int:
    return program.splitlines().index(text) + 1


def test_test_program_frames_map_to_code_and_test() -> None:
    program = build_test_program(CODE, TEST)
    code_line = _line_of(program, "    return 10 // x")
    test_line = _line_of(program, "    assert main(x=0) == 0")
    glue_line = _line_of(program, "    value = _registry_main(*args, **kwargs)")
    stderr = (f'  File "<sandbox>", line {test_line}, in test_zero\n    assert main(x=0) == 0\n'
              f'  File "<sandbox>", line {glue_line}, in main\n'
              f'  File "<sandbox>", line {code_line}, in main\n    return 10 // x\n')
    trace = relabel_traceback(stderr, CODE, TEST)
    assert 'File "<test>", line 2' in trace and 'File "<tool>", line 2' in trace
    assert 'File "<registry>", line 0' in trace
    assert failure_location(trace) == " (at tool line 2: return 10 // x)"


def test_tool_program_lines_past_the_code_are_the_harness() -> None:
    program = build_tool_program(CODE)
    harness = len(program.splitlines())
    trace = relabel_traceback(f'File "<sandbox>", line {harness}, in <module>\n', CODE)
    assert trace == 'File "<registry>", line 0, in <module>\n'
    assert failure_location(trace) == ""
