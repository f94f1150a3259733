"""The contract helpers: parameters derived from main's signature, the extra test checks, and
test programs laid out like the registry's (so they pass its review and its sandbox run)."""

from __future__ import annotations

import pytest

from mcp_sre.sandbox.checks import check_code
from mcp_sre.toolcode.contract import CONTRACT_TEXT, check_contract, parameters_schema
from mcp_sre.toolcode.harness import build_test_program, build_tool_program, locate_line
from mcp_sre.toolcode.review import review_tool

CODE = '''\
import sre
from typing import Literal, Optional


def main(namespace: str, limit: int = 50, ratio: float | None = None, verbose: bool = False,
         names: list[str] = [], labels: dict = {}, mode: Literal["a", "b"] = "a",
         since: Optional[int] = None, raw="x") -> list:
    """Pods that are not ready.

    More text."""
    return []
'''


def test_parameters_schema_from_the_signature() -> None:
    schema = parameters_schema(CODE)
    props = schema["properties"]
    assert schema["required"] == ["namespace"] and schema["additionalProperties"] is False
    assert schema["description"] == "Pods that are not ready."
    assert props["namespace"] == {"type": "string"}
    assert props["limit"] == {"type": "integer", "default": 50}
    assert props["ratio"] == {"anyOf": [{"type": "number"}, {"type": "null"}], "default": None}
    assert props["verbose"] == {"type": "boolean", "default": False}
    assert props["names"] == {"type": "array", "items": {"type": "string"}, "default": []}
    assert props["labels"] == {"type": "object", "default": {}}
    assert props["mode"] == {"enum": ["a", "b"], "default": "a"}
    assert props["since"]["anyOf"][1] == {"type": "null"}
    assert props["raw"] == {"default": "x"}  # no annotation: no type constraint
    # the registry accepts the derived schema for this code
    report = review_tool(CODE, "def test_x():\n    assert main('shop') == []\n", schema)
    assert report.passed, [str(f) for f in report.findings]


def test_contract_problems() -> None:
    bad = check_contract("def main(*args, when=object()):\n    return 1\n",
                         "def test_a(fixture):\n    main()\n\ndef main():\n    pass\n")
    text = " | ".join(bad.problems)
    assert "*args or **kwargs" in text and "default of 'when' must be a JSON literal" in text
    assert "test_a() must take no parameters" in text and "do not redefine main()" in text
    with pytest.raises(ValueError, match="kwargs"):
        parameters_schema("def main(**kw):\n    return 1\n")
    assert check_contract("def main(:\n").problems[0].startswith("code: syntax error")


def test_programs_pass_the_sandbox_scan_and_map_lines() -> None:
    code = "import sre\n\n\ndef main(n: int = 1) -> int:\n    return n\n"
    test = "def test_a():\n    assert main() == 1\n\n\ndef test_b():\n    assert main(2) == 2\n"
    program = build_test_program(code, test)
    assert check_code(program) == []
    lines = program.splitlines()
    first = lines.index("test_a()")
    assert lines[first:first + 2] == ["test_a()", "test_b()"]  # every test*, in order
    assert locate_line(code, test, lines.index("    assert main(2) == 2") + 1) == ("test", 6)
    assert locate_line(code, test, 4) == ("code", 4)
    assert locate_line(code, test, len(lines)) == ("harness", len(lines))
    tool = build_tool_program(code)
    assert tool.endswith("sre.result(main(**sre.inputs))\n") and check_code(tool) == []
    assert "sre.result()" in CONTRACT_TEXT and "def main(" in CONTRACT_TEXT
