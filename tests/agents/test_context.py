"""What the code writer is shown: real operations formatted from the botocore specs, the
technique templates, the prompts and the context pack."""

from __future__ import annotations

from typing import Any

import pytest

from mcp_sre.agents.context import (
    SANDBOX_RULES,
    format_operation,
    load_templates,
    retrieval_finder,
    system_prompt,
    user_prompt,
)
from mcp_sre.agents.context_pack import build_context_pack
from mcp_sre.errors import NotFoundError
from mcp_sre.sandbox.checks import check_code
from mcp_sre.toolcode.review import security_findings


def test_operation_text_has_what_code_needs(agents_catalog: Any) -> None:
    text = format_operation(agents_catalog.get("aws/ec2/DescribeInstances"))
    assert text.startswith("### aws/ec2/DescribeInstances  (read)")
    assert "  - Filters ([{Name: string, Values: [string]}], optional)" in text
    assert '"input_token": "NextToken"' in text and '"result_key": "Reservations"' in text
    assert 'Call: sre.call("aws/ec2/DescribeInstances")' in text
    stats = format_operation(agents_catalog.get("aws/cloudwatch/GetMetricStatistics"))
    assert "  - MetricName (string, required)" in stats
    assert 'Call: sre.call("aws/cloudwatch/GetMetricStatistics", Namespace=..., ' in stats
    assert "Statistics ([SampleCount|Average|Sum|Minimum|Maximum]" in stats
    short = format_operation(agents_catalog.get("aws/ec2/DescribeInstances"), max_chars=200)
    assert len(short) == 200 and short.endswith("…")


def test_templates_are_techniques_that_pass_the_checks() -> None:
    templates = load_templates()
    assert [t.name for t in templates] == ["batching", "pagination", "retry_backoff",
                                           "time_windows"]
    for t in templates:
        assert t.title and t.when, t.name
        assert check_code(t.code) == [], t.name
        assert security_findings(t.code) == [], t.name
        assert "aws/" not in t.code and "kubernetes/" not in t.code  # no business functions
    assert [t.name for t in load_templates(["pagination"])] == ["pagination"]


def test_prompts_carry_rules_contract_and_operations(agents_catalog: Any) -> None:
    system = system_prompt()
    assert "SANDBOX RULES" in system and "TOOL CONTRACT" in system and "```python test" in system
    assert "subprocess" in SANDBOX_RULES and "ParamValidationError" in SANDBOX_RULES
    user = user_prompt("EC2 instances with high CPU",
                       [agents_catalog.get("aws/ec2/DescribeInstances")], load_templates(),
                       ["aws"])
    assert user.startswith("REQUEST\nEC2 instances with high CPU")
    assert "Enabled providers: aws" in user and "-- pagination:" in user
    assert "Retrieval found no operation" in user_prompt("x", [], [], None)


def test_retrieval_finder_filters_and_resolves(agents_retriever: Any,
                                               agents_catalog: Any) -> None:
    find = retrieval_finder(agents_retriever, agents_catalog.get)
    specs = find("EC2 instances with CPU above 80%", ["aws"], 5)
    assert 0 < len(specs) <= 5 and len({s.id for s in specs}) == len(specs)
    assert "aws/ec2/DescribeInstances" in [s.id for s in specs]
    assert find("EC2 instances", ["nope", "aws"], 3)  # one unknown provider of several
    with pytest.raises(NotFoundError, match="unknown provider 'nope'"):
        find("EC2 instances", ["nope"], 3)


def test_context_pack(agents_catalog: Any) -> None:
    ops = [agents_catalog.get("aws/ec2/DescribeInstances"),
           agents_catalog.get("aws/cloudwatch/GetMetricStatistics")]
    pack = build_context_pack("EC2 instances with CPU above 80%", ["aws"], ops, "no model")
    assert pack.mode == "context_pack" and pack.reason == "no model"
    assert [o.id for o in pack.operations] == [s.id for s in ops]
    assert pack.operations[0].access == "read" and "Filters" in pack.operations[0].details
    assert "register_tool(name, description, code, test, parameters)" in pack.next_steps[2]
    for part in ("REQUEST", "OPERATIONS", "TECHNIQUES", "SANDBOX RULES", "TOOL CONTRACT",
                 "NEXT STEPS"):
        assert part in pack.prompt
    assert "Write the CODE and the TEST now" not in pack.prompt
