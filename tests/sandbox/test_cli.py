"""``mcp-sre run FILE.py``: exit statuses, pass-through output and ``--json``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mcp_sre.sandbox.cli import _context, run_command


@pytest.fixture
def cli(tmp_path: Path, module_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MCP_SRE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MCP_SRE_WASM_CACHE", str(module_dir))
    monkeypatch.setenv("MCP_SRE_PLUGINS", "aws,botocore")

    def invoke(code: str, *args: str):
        program = tmp_path / "program.py"
        program.write_text(code, encoding="utf-8")
        return CliRunner().invoke(run_command, [str(program), *args])

    return invoke


def test_success_passes_output_through(cli) -> None:
    result = cli("import sys\nprint('hello')\nprint('note', file=sys.stderr)")
    assert result.exit_code == 0
    assert result.stdout == "hello\n"
    assert "note" in result.stderr


@pytest.mark.parametrize(("code", "args", "status", "kind"), [
    ("import subprocess", (), 4, "static_check"),
    ("while True: pass", ("--timeout", "1"), 5, "timeout"),
    ("x = bytearray(1 << 30)", (), 6, "memory_limit"),
    ("print('x' * 5_000_000)", (), 6, "output_limit"),
    ("raise RuntimeError('boom')", (), 1, "runtime_error"),
])
def test_failures_exit_non_zero_with_one_line(cli, code: str, args: tuple[str, ...],
                                              status: int, kind: str) -> None:
    result = cli(code, *args)
    assert result.exit_code == status
    reason = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(reason) == 1 and reason[0].startswith(f"error: {kind}: ")


def test_json_output(cli) -> None:
    result = cli("print(sre.inputs['n'] * 2)\nsre.result({'ok': 1})", "--json",
                 "--inputs", '{"n": 21}')
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["stdout"] == "42\n" and data["result"] == {"ok": 1}
    assert data["error"] is None and data["calls"] == []

    failed = cli("import ctypes", "--json")
    assert failed.exit_code == 4
    data = json.loads(failed.stdout)
    assert data["ok"] is False and data["error"]["type"] == "static_check"
    assert set(data) >= {"ok", "stdout", "stderr", "error", "calls"}


def test_usage_errors(cli, tmp_path: Path) -> None:
    missing = CliRunner().invoke(run_command, [str(tmp_path / "nope.py")])
    assert missing.exit_code == 2 and "cannot read" in missing.output
    bad_inputs = cli("pass", "--inputs", "[1, 2]")
    assert bad_inputs.exit_code == 2 and "JSON object" in bad_inputs.output


@pytest.mark.slow
def test_policy_refusal_through_the_catalog(cli, aws_env: str) -> None:
    """The CLI's default lookup is the spec catalog over the installed botocore (slow once)."""
    code = ("import boto3\nec2 = boto3.client('ec2')\n"
            "print(isinstance(ec2.describe_volumes()['Volumes'], list))\n"
            "ec2.terminate_instances(InstanceIds=['i-1'])\n")
    # a fresh home parses the AWS catalog on the first call: allow for it in the time limit
    result = cli(code, "--provider", "aws", "--timeout", "300")
    assert result.exit_code == 3, result.output
    assert result.stdout == "True\n"
    assert "error: policy_denied: aws/ec2/TerminateInstances is a write" in result.stderr


def test_context_option_is_provider_blind() -> None:
    """--context goes to the named provider's plugin untouched; * and --region to every one."""
    assert _context(("aws.profile=dev", "kubernetes.namespace=shop", "x.k=a=b"), None) == {
        "aws": {"profile": "dev"}, "kubernetes": {"namespace": "shop"}, "x": {"k": "a=b"}}
    assert _context(("*.tier=ro",), "eu-west-1") == {"*": {"tier": "ro", "region": "eu-west-1"}}
    assert _context((), None) is None


@pytest.mark.parametrize("pair", ["profile=dev", "aws.profile", ".k=v", "aws.=v"])
def test_context_option_usage_errors(cli, pair: str) -> None:
    result = cli("pass", "--context", pair)
    assert result.exit_code == 2 and "PROVIDER.KEY=VALUE" in result.output
