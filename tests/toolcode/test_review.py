"""The static checks and the security review: each rule refuses what it should, with a line
number and a reason, and lets ordinary read-only code through."""

from __future__ import annotations

import pytest

from mcp_sre.toolcode.calls import operations_in, sdk_namer
from mcp_sre.toolcode.review import review_tool, security_findings

PARAMS = {"type": "object", "properties": {"namespace": {"type": "string"}}}
TEST = "assert main() is not None\n"


def rules(code: str, **kw) -> set[str]:
    return {f.rule for f in security_findings(code, **kw) if f.severity == "error"}


def test_clean_read_only_tool_passes() -> None:
    code = '''
LIMIT = 100

def main(namespace: str = "default") -> list:
    pods = sre.call("kubernetes/core_v1/listCoreV1NamespacedPod", namespace=namespace)
    out = []
    for page in sre.pages("aws/ec2/DescribeVolumes", {}, max_items=LIMIT):
        out.extend(page.get("Volumes", []))
    return [p["metadata"]["name"] for p in pods["items"]] + out
'''
    report = review_tool(code, TEST, PARAMS)
    assert report.passed, [str(f) for f in report.findings]
    assert report.operations == ["kubernetes/core_v1/listCoreV1NamespacedPod",
                                 "aws/ec2/DescribeVolumes"]


def test_write_operations_refused_by_spec_access_and_by_verb(lookup) -> None:
    # known operation: the spec's access class decides (RunInstances is a create)
    found = security_findings('def main():\n    sre.call("aws/ec2/RunInstances", MinCount=1)\n',
                              lookup=lookup)
    assert [(f.rule, f.line) for f in found] == [("write_call", 2)]
    assert "registered tools are read-only" in found[0].message
    # unknown operation id: the lookup says so, and the verb still marks it a write
    found = security_findings('def main():\n    sre.call("aws/ec2/DeleteEverything")\n',
                              lookup=lookup)
    assert {f.rule for f in found} == {"unknown_operation", "write_call"}
    # SDK-shaped calls
    assert rules('def main():\n    boto3.client("ec2").terminate_instances(InstanceIds=["i-1"])\n'
                 ) == {"write_call"}
    assert rules("def main(api):\n    api.delete_namespaced_pod('p', 'ns')\n") == {"write_call"}
    assert rules('def main():\n    return boto3.client("ec2").describe_instances()\n') == set()
    # ordinary Python methods are not API writes
    assert rules("def main():\n    d = {}\n    d.update(a=1)\n    return 'x'.replace('x', 'y')\n"
                 ) == set()


@pytest.mark.parametrize("code", [
    'KEY = "AKIAABCDEFGHIJKLMNOP"\ndef main():\n    return 1\n',
    'def main():\n    return sre.call("aws/secretsmanager/GetSecretValue", SecretId="db")\n',
    'def main():\n    return boto3.client("ssm").get_parameter(Name="x", WithDecryption=True)\n',
    'import os\ndef main():\n    return os.environ["AWS_SECRET_ACCESS_KEY"]\n',
    'import os\ndef main():\n    return os.getenv("API_TOKEN")\n',
    'def main():\n    password = "hunter2hunter2"\n    return password\n',
    'def main():\n    return sre.call("kubernetes/core_v1/readCoreV1NamespacedSecret", name="x")\n',
])
def test_secrets_refused(code: str) -> None:
    assert "secret" in rules(code)


def test_pagination_tokens_are_not_secrets() -> None:
    code = ('def main():\n    next_token = "abcdefgh"\n'
            '    return sre.call("aws/ec2/DescribeVolumes", NextToken=next_token)\n')
    assert rules(code) == set()


@pytest.mark.parametrize(("code", "bounded"), [
    ("def main():\n    token = None\n    while True:\n"
     "        r = sre.call('aws/ec2/DescribeVolumes', NextToken=token)\n"
     "        token = r.get('NextToken')\n        if not token:\n            break\n", False),
    ("def main():\n    return [p for p in sre.paginate('aws/ec2/DescribeVolumes')]\n", False),
    ("def main():\n    for p in boto3.client('ec2').get_paginator('describe_volumes').paginate():"
     "\n        pass\n", False),
    ("def main():\n    pages, token = 0, None\n    while pages < 10:\n"
     "        r = sre.call('aws/ec2/DescribeVolumes')\n        pages += 1\n", True),
    ("def main():\n    for n, p in enumerate(sre.paginate('aws/ec2/DescribeVolumes')):\n"
     "        if n >= 5:\n            break\n", True),
    ("def main():\n    for _ in range(5):\n        sre.call('aws/ec2/DescribeVolumes')\n", True),
    ("def main():\n    return list(sre.pages('aws/ec2/DescribeVolumes', {}, max_items=50))\n",
     True),
    ("def main():\n    p = boto3.client('ec2').get_paginator('describe_volumes')\n"
     "    for page in p.paginate(PaginationConfig={'MaxItems': 100}):\n        pass\n", True),
])
def test_pagination_needs_a_cap(code: str, bounded: bool) -> None:
    assert ("unbounded_pagination" not in rules(code)) is bounded


def test_contract_findings_name_the_fix() -> None:
    report = review_tool("x = sre.call('aws/ec2/DescribeVolumes')\nprint(x)\n", "pass\n", PARAMS)
    messages = [str(f) for f in report.findings]
    assert not report.passed
    assert any("must define a top-level def main" in m for m in messages)
    assert any("line 2" in m and "move it into main()" in m for m in messages)
    assert any("test never calls main" in m for m in messages)

    report = review_tool("def main(namespace, limit):\n    sre.result(1)\n", TEST,
                         {"type": "object", "properties": {"namespace": {"type": "string"},
                                                           "other": {"type": "string"}}})
    text = " | ".join(str(f) for f in report.findings)
    assert "instead of calling sre.result()" in text
    assert "'namespace' (no default)" in text and "'limit' (no default)" in text
    assert "the schema has 'other'" in text


def test_bad_parameters_schema_and_syntax_errors() -> None:
    report = review_tool("def main(:\n", TEST, {"type": "array"})
    rule_set = {f.rule for f in report.findings}
    assert {"syntax", "parameters"} <= rule_set
    report = review_tool("def main():\n    return 1\n", TEST,
                         {"type": "object", "properties": {"a": {"type": "nonsense"}}})
    assert any(f.rule == "parameters" and "not a valid JSON Schema" in f.message
               for f in report.findings)


def test_sandbox_scan_and_undefined_names_reported() -> None:
    report = review_tool("import subprocess\ndef main():\n    return undefined_thing\n",
                         "assert main()\n", {"type": "object", "properties": {}})
    rule_set = {f.rule for f in report.findings}
    assert "sandbox_scan" in rule_set
    import shutil

    if shutil.which("ruff"):
        assert any(f.rule == "pyflakes_F821" and f.line == 3 for f in report.findings)


def test_operations_found_from_sre_and_boto3(plugin_manager) -> None:
    code = '''
import boto3
ec2 = boto3.client("ec2")

def main():
    cw = boto3.client("cloudwatch")
    ec2.describe_instances()
    pager = ec2.get_paginator("describe_volumes")
    cw.get_metric_data(MetricDataQueries=[])
    return sre.call("aws/logs/FilterLogEvents", logGroupName="x")
'''
    assert operations_in(code, sdk_namer(plugin_manager)) == [
        "aws/ec2/DescribeInstances", "aws/ec2/DescribeVolumes", "aws/cloudwatch/GetMetricData",
        "aws/logs/FilterLogEvents"]
    assert operations_in(code) == ["aws/logs/FilterLogEvents"]  # without plugins: bridge only


@pytest.mark.parametrize("code", [
    "def main():\n    return list(sre.paginate('aws/ec2/DescribeVolumes'))\n",
    "def main():\n    for i, p in enumerate(sre.paginate('aws/ec2/DescribeVolumes')):\n        pass\n",
])
def test_pagination_consumed_whole_is_refused(code: str) -> None:
    assert "unbounded_pagination" in rules(code)


def test_aliased_bridge_functions_are_still_reviewed() -> None:
    code = ("from sre import call as c, paginate\nimport sre as bridge\n\n"
            "def main():\n    c('aws/ec2/TerminateInstances', InstanceIds=['i-1'])\n"
            "    bridge.call('aws/ec2/DeleteVolume', VolumeId='v')\n"
            "    return list(paginate('aws/ec2/DescribeVolumes'))\n")
    found = [(f.rule, f.line) for f in security_findings(code)]
    assert ("write_call", 5) in found and ("write_call", 6) in found
    assert ("unbounded_pagination", 7) in found
    assert operations_in(code) == ["aws/ec2/TerminateInstances", "aws/ec2/DeleteVolume",
                                   "aws/ec2/DescribeVolumes"]
