"""Generated-tool code: everything that judges and runs the code a tool is made of.

One home for the code generator (:mod:`mcp_sre.agents`) and the tool registry
(:mod:`mcp_sre.registry`), so both apply the same rules:

* :mod:`~mcp_sre.toolcode.contract` -- what ``main`` and its test look like, as prompt text and
  as checks; the parameters' JSON Schema derived from ``main``'s signature;
* :mod:`~mcp_sre.toolcode.calls` -- which operations code calls (bridge calls, and SDK calls
  named by the plugins' ``sdk_call_operation`` hook);
* :mod:`~mcp_sre.toolcode.review` -- the static review (syntax, the sandbox's escape scan,
  pyflakes-class errors, the contract, the security rules);
* :mod:`~mcp_sre.toolcode.llm_review` -- the security review with an LLM verdict on top;
* :mod:`~mcp_sre.toolcode.harness` -- the programs that run a test or a tool in the sandbox,
  and what a test run reports.
"""

from mcp_sre.toolcode.calls import SdkCall, SdkNamer, operations_in, sdk_namer
from mcp_sre.toolcode.contract import CONTRACT_TEXT, ENTRY_POINT, check_contract
from mcp_sre.toolcode.harness import build_test_program, build_tool_program, run_test
from mcp_sre.toolcode.llm_review import SecurityReview, llm_review, review_code
from mcp_sre.toolcode.models import CheckReport, ReviewFinding, TestReport
from mcp_sre.toolcode.review import review_tool, security_findings

__all__ = [
    "CONTRACT_TEXT",
    "ENTRY_POINT",
    "CheckReport",
    "ReviewFinding",
    "SdkCall",
    "SdkNamer",
    "SecurityReview",
    "TestReport",
    "build_test_program",
    "build_tool_program",
    "check_contract",
    "llm_review",
    "operations_in",
    "review_code",
    "review_tool",
    "run_test",
    "sdk_namer",
    "security_findings",
]
