"""The static scan: what it refuses (with line numbers) and what ordinary SRE code it lets by."""

from __future__ import annotations

import pytest

from mcp_sre.sandbox import StaticCheckError, check_code, ensure_safe


@pytest.mark.parametrize(("code", "expected"), [
    ("exec('print(1)')", "exec() is not allowed"),
    ("eval('1+1')", "eval() is not allowed"),
    ("compile('1', 'f', 'eval')", "compile() is not allowed"),
    ("__import__('os')", "__import__"),
    ("import os\nos.system('ls')", "line 2: os.system is not allowed"),
    ("from os import system", "os.system is not allowed"),
    ("import os as o\no.popen('ls')", "os.popen is not allowed"),
    ("import os\nos.execv('/bin/sh', [])", "os.execv"),
    ("import os\nos.remove('/x')", "os.remove"),
    ("import subprocess", "'subprocess' is not allowed"),
    ("from subprocess import run", "'subprocess' is not allowed"),
    ("import socket", "'socket' is not allowed"),
    ("import urllib.request", "'urllib.request' is not allowed"),
    ("import ctypes", "'ctypes' is not allowed"),
    ("import importlib", "'importlib' is not allowed"),
    ("import multiprocessing", "'multiprocessing' is not allowed"),
    ("import pickle", "'pickle' is not allowed"),
    ("open('/tmp/x', 'w')", "open(..., 'w') is not allowed"),
    ("open('/tmp/x', mode='a')", "open(..., 'a') is not allowed"),
    ("open('/tmp/x', 'r+')", "open(..., 'r+') is not allowed"),
    ("m = 'w'\nopen('/tmp/x', m)", "computed mode"),
    ("import pathlib\npathlib.Path('/x').write_text('y')", "write_text"),
    ("().__class__.__bases__[0].__subclasses__()", "__subclasses__"),
    ("f = lambda: 0\nf.__globals__", "__globals__"),
    ("print(__builtins__)", "use of __builtins__"),
    ("getattr(object, '__subclasses__')()", "getattr(..., '__subclasses__')"),
    ("x = 'sub'\ngetattr(object, '__' + x)", "built-up attribute name"),
    ("setattr(object, name, 1)", "setattr() with a computed attribute name"),
    ("import sys\nsys.modules['os']", "sys.modules is not allowed"),
    ("import sys\nsys._getframe()", "sys._getframe"),
    ("from . import x", "relative imports"),
    ("def broken(:", "syntax error"),
])
def test_refused_constructs(code: str, expected: str) -> None:
    findings = check_code(code)
    assert findings, f"not refused: {code!r}"
    assert any(expected in str(f) for f in findings), [str(f) for f in findings]
    assert all(str(f).startswith("line ") for f in findings)


def test_ordinary_sre_code_passes() -> None:
    code = '''
import json, datetime, re, math, collections, os.path
import boto3
from botocore.exceptions import ClientError

class Report:
    def __init__(self, name):
        self.name = name
    def __repr__(self):
        return f"Report({self.name!r})"

ec2 = boto3.client("ec2", region_name=os.environ.get("AWS_REGION", "us-east-1"))
counts = collections.Counter()
try:
    for page in ec2.get_paginator("describe_instances").paginate():
        for r in page["Reservations"]:
            for i in r["Instances"]:
                counts[i["State"]["Name"]] += 1
except ClientError as exc:
    print(type(exc).__name__, exc.response["Error"]["Code"])
data = open("/sre/sre.py").read()
with open("/sre/sre.py", "r", encoding="utf-8") as fh:
    fh.readline()
method = "describe_volumes"
volumes = getattr(ec2, method)()
print(json.dumps(dict(counts)), math.ceil(2.5), re.sub("a", "b", "abc"), __name__)
if __name__ == "__main__":
    sre.result({"ok": True, "when": datetime.datetime.now().isoformat()})
'''
    assert check_code(code) == []


def test_ensure_safe_lists_every_finding() -> None:
    with pytest.raises(StaticCheckError) as info:
        ensure_safe("import socket\nimport ctypes\neval('x')")
    message = str(info.value)
    assert "line 1" in message and "line 2" in message and "line 3" in message
    ensure_safe("print('fine')")  # no exception


def test_pathological_input_is_a_finding_not_a_crash() -> None:
    deep = "x = " + "(" * 5000 + "1" + ")" * 5000
    findings = check_code(deep)
    assert findings and findings[0].line in (0, 1)
