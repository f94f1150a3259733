"""Red team (issue 20, item 5): host addresses stay out of what the guest sees.

Before the fix a connection error shown to generated code named the cluster URL. The class:
URLs, IP addresses (v4, v6), host:port pairs and urllib3's ``host='...'`` in any error reply;
the call record and the audit log keep the original for the person debugging.
"""

from __future__ import annotations

import pytest

from mcp_sre.sandbox import Sandbox
from mcp_sre.sandbox.bridge import scrub_addresses


@pytest.mark.parametrize(("text", "hidden"), [
    ('Could not connect to the endpoint URL: "http://127.0.0.1:5000/"', "127.0.0.1"),
    ("listPods: cannot reach 10.0.0.5:6443: MaxRetryError", "10.0.0.5"),
    ("HTTPSConnectionPool(host='k8s.corp.example', port=6443): Max retries", "k8s.corp.example"),
    ("connect to [fd00::1]:8443 failed", "fd00::1"),
    ("dial tcp api.cluster.internal:443: i/o timeout", "api.cluster.internal"),
    ("Prometheus is unreachable: ConnectError: https://prom.corp.example/api/v1/query",
     "prom.corp.example"),
])
def test_addresses_are_scrubbed(text: str, hidden: str) -> None:
    assert hidden not in scrub_addresses(text)


@pytest.mark.parametrize("text", ["aws/ec2/DescribeInstances: unknown parameter(s) Foo",
                                  "at 12:30 the error rate was 1.5 percent",
                                  "no operation 'kubernetes/core_v1/listPods'"])
def test_ordinary_messages_are_kept(text: str) -> None:
    assert scrub_addresses(text) == text


def test_the_guest_does_not_see_the_endpoint_but_the_audit_log_does(
        sandbox: Sandbox, aws_env, monkeypatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    code = ("import sre\ntry:\n    sre.request('aws/ec2/DescribeInstances')\n"
            "except Exception as exc:\n    print('ERR', exc)\n")
    result = sandbox.run(code, timeout_s=60)
    assert result.stdout.startswith("ERR"), result
    assert "127.0.0.1" not in result.stdout and "<endpoint>" in result.stdout
    assert sandbox.audit is not None
    last = sandbox.audit.read(limit=1)[0]
    assert "127.0.0.1:9" in last["error"]["message"]
