"""The no-LLM path: everything a calling assistant needs to write the tool itself.

When the server has no model to ask (no endpoint configured, no sampling from the client),
``generate_tool`` returns this pack instead of code: the operations retrieved for the request,
the technique templates, the sandbox rules and the exact contract (function signature, how
inputs arrive, how the test runs). The assistant writes CODE and TEST and submits them with
``register_tool``, which runs the same static checks, security review and sandbox test the
CodeGenerator runs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from mcp_sre.agents.context import (
    SANDBOX_RULES,
    Template,
    format_operation,
    lessons_section,
    load_templates,
    user_prompt,
)
from mcp_sre.specs.model import APISpec
from mcp_sre.toolcode.contract import CONTRACT_TEXT, ENTRY_POINT

__all__ = ["ContextPack", "OperationBrief", "build_context_pack"]

SIGNATURE = (f"def {ENTRY_POINT}(<param>: <str|int|float|bool|list[...]|dict[...]> = <default>, "
             "...) -> <JSON value>")
TEST_CONTRACT = (f"def test_<what>() -> None:  # no parameters; calls {ENTRY_POINT}(...) against "
                 "the live target and asserts properties that hold in any account")


class OperationBrief(BaseModel):
    """One retrieved operation, summarised and fully formatted."""

    id: str = Field(description="Operation id for sre.call and get_api_spec")
    access: str = Field(description="read or write (writes are refused by the sandbox)")
    summary: str = Field(description="One-line summary")
    details: str = Field(description="Parameters, pagination and an example call, as text")


class ContextPack(BaseModel):
    """What to write and how, for an assistant that writes the code itself."""

    mode: Literal["context_pack"] = Field(default="context_pack",
                                          description="Marks the no-LLM answer")
    request: str = Field(description="The request the tool must serve")
    providers: list[str] | None = Field(default=None, description="Providers enabled")
    reason: str = Field(description="Why no server-side model wrote the code")
    operations: list[OperationBrief] = Field(description="Operations retrieved, best first")
    templates: list[Template] = Field(description="Generic technique templates")
    sandbox_rules: str = Field(description="What the sandbox allows and refuses")
    contract: str = Field(description="The tool-code contract: CODE and TEST")
    function_signature: str = Field(description="The entry point every tool defines")
    test_contract: str = Field(description="The shape of each test function")
    next_steps: list[str] = Field(description="What to do with this pack")
    prompt: str = Field(description="All of the above as one text, ready to read")


def build_context_pack(request: str, providers: list[str] | None, operations: list[APISpec],
                       reason: str, templates: list[Template] | None = None,
                       notes: list[str] | None = None) -> ContextPack:
    """``notes``: lessons learned on these operations (mcp_sre.learning), shown to the writer."""
    templates = load_templates() if templates is None else templates
    steps = [
        f"Write CODE defining {ENTRY_POINT}(...) and TEST defining test_*() functions, "
        "following the contract, with the operation ids and parameter names listed here.",
        "Optionally try the code first with run_code (call main(...) at the end and print "
        "the result).",
        "Call register_tool(name, description, code, test, parameters) -- parameters is the "
        f"JSON Schema of {ENTRY_POINT}'s keyword arguments. It runs the static checks, the "
        "security review and the test in the sandbox against the live target, registers the "
        "tool when all pass, and otherwise says exactly what to fix.",
    ]
    prompt = "\n\n".join([
        user_prompt(request, operations, templates, providers).rsplit("\n\n", 1)[0],
        *([lessons_section(notes)] if notes else []),
        f"SANDBOX RULES\n{SANDBOX_RULES}", f"TOOL CONTRACT\n{CONTRACT_TEXT}",
        "NEXT STEPS\n" + "\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1)),
    ])
    return ContextPack(
        request=request, providers=providers, reason=reason,
        operations=[OperationBrief(id=s.id, access=s.access,
                                   summary=(s.summary or s.description)[:240],
                                   details=format_operation(s)) for s in operations],
        templates=templates, sandbox_rules=SANDBOX_RULES, contract=CONTRACT_TEXT,
        function_signature=SIGNATURE, test_contract=TEST_CONTRACT, next_steps=steps,
        prompt=prompt,
    )
