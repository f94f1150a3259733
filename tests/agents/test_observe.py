"""Reading model replies and writing observations (no sandbox needed: RunResults are built
the way the sandbox builds them)."""

from __future__ import annotations

from mcp_sre.agents.observe import observe_run, parse_reply
from mcp_sre.registry.models import slug_name
from mcp_sre.sandbox.models import CallRecord, ErrorInfo, RunResult
from mcp_sre.toolcode.harness import build_test_program

CODE = "import sre\n\n\ndef main(n: int = 1) -> int:\n    return n\n"
TEST = "def test_one():\n    assert main(n=2) == 3\n"


def test_labelled_blocks_and_fields() -> None:
    text = (f"<think>```python code\nimport os\n```</think>\n**NAME:** pods_not_ready\n"
            f"DESCRIPTION: Pods that are not ready.\n```python code\n{CODE}```\n"
            f"```python test\n{TEST}```")
    reply = parse_reply(text)
    assert reply.problem is None and reply.code == CODE and reply.test == TEST
    assert reply.name == "pods_not_ready" and reply.description == "Pods that are not ready."


def test_unlabelled_blocks_in_order_and_one_combined_block() -> None:
    assert parse_reply(f"```python\n{CODE}```\ntext\n```\n{TEST}```").test == TEST
    both = parse_reply(f"NAME: Bad Name!\n```python\n{CODE}\n{TEST}```")
    assert both.code.rstrip() == CODE.rstrip() and both.test == TEST
    assert both.name == "bad_name"


def test_unusable_replies_say_why() -> None:
    assert "no code block" in (parse_reply("Sorry, I cannot help.").problem or "")
    assert "no test block" in (parse_reply(f"```python code\n{CODE}```").problem or "")


def test_slug_name() -> None:
    assert slug_name("EC2 instances with CPU > 80%") == "ec2_instances_with_cpu_80"
    assert slug_name("列出CPU使用率超过80%的EC2实例") == "cpu_80_ec2"
    assert slug_name("列出实例") == "generated_tool" and slug_name("9 lives") == "t_9_lives"


def test_observation_maps_traceback_lines_to_code_and_test() -> None:
    program = build_test_program(CODE, TEST)
    assert_line = program.splitlines().index("    assert main(n=2) == 3") + 1
    wrapper_line = program.splitlines().index("    value = _registry_main(*args, **kwargs)") + 1
    stderr = ("Traceback (most recent call last):\n"
              f'  File "<sandbox>", line {assert_line + 2}, in <module>\n    test_one()\n'
              f'  File "<sandbox>", line {assert_line}, in test_one\n'
              "    assert main(n=2) == 3\n           ^^^^^^^^^\n"
              f'  File "<sandbox>", line {wrapper_line}, in main\n    value = ...\n'
              '  File "/sre/sre.py", line 200, in _exchange\n    raise cls(...)\n'
              "AssertionError\n")
    run = RunResult(ok=False, stdout="running\n", stderr=stderr,
                    error=ErrorInfo(type="runtime_error", message="AssertionError: "))
    text = observe_run(run, CODE, TEST)
    assert text.startswith("The test FAILED with runtime_error: AssertionError")
    assert 'File "test", line 2, in test_one' in text
    assert "<sandbox>" not in text and "sre.py" not in text and "_registry_main" not in text
    assert text.count("File ") == 1 and "Output before the failure:\nrunning" in text


def test_observation_of_refusals_and_success() -> None:
    message = ("ParamValidationError: aws/ec2/DescribeInstances: unknown parameter(s) Foo; "
               "valid parameters: Filters, MaxResults")
    call = CallRecord(operation="aws/ec2/DescribeInstances", decision="invalid",
                      reason="aws/ec2/DescribeInstances: unknown parameter(s) Foo; valid "
                      "parameters: Filters, MaxResults")
    denied = CallRecord(operation="aws/ec2/StopInstances", decision="denied",
                        reason="aws/ec2/StopInstances is a write operation")
    run = RunResult(ok=False, error=ErrorInfo(type="validation_error", message=message),
                    calls=[call, denied])
    text = observe_run(run, CODE, TEST)
    assert text.count("valid parameters: Filters, MaxResults") == 1  # said once, not thrice
    assert "exactly as spelled" in text
    assert "Refused/failed call aws/ec2/StopInstances (denied)" in text
    ok = observe_run(RunResult(ok=True, stdout="3 rows\n"), CODE, TEST)
    assert ok.startswith("The test PASSED.") and "made no API call" in ok and "3 rows" in ok
