"""Whose fault a failed call is: the environment's (no credentials, no cluster, a target that
is down or slow, throttling, missing permissions) or the code's (a wrong operation or
parameter, a bug). Tool scores count only the code's failures: a starter tool must not be
deprecated because the machine it runs on has no kubeconfig.

Judged from what every provider's errors share -- HTTP status, error codes, message words --
so the core names no cloud; a plugin's ``ProviderCallError`` only needs a truthful code/status.
"""

from __future__ import annotations

import re

__all__ = ["environment_fault"]

_STATUS = {401, 403, 407, 408, 429, 500, 502, 503, 504}
_CODE = re.compile(
    r"(?i)^(no_?credentials\w*|partialcredentials|credentialretrieval\w*|invalidclienttokenid|"
    r"unrecognizedclient\w*|expiredtoken\w*|authfailure|signaturedoesnotmatch|"
    r"accessdenied\w*|unauthorized\w*|forbidden|throttl\w*|toomanyrequests\w*|"
    r"requestlimitexceeded|slowdown|serviceunavailable\w*|internalerror|internalfailure|"
    r"endpointconnectionerror|connect\w*error|connecttimeout\w*|readtimeout\w*|"
    r"connectionclosederror|clusternotconfigured|unreachable|http(401|403|429|5\d\d)|"
    r"noregion\w*|profilenotfound)$")
_TEXT = re.compile(
    r"(?i)unable to locate credentials|no credentials|credentials? (are|is) (missing|expired)|"
    r"could not connect|cannot reach|connection (refused|reset|aborted)|unreachable|"
    r"name or service not known|temporary failure in name resolution|nodename nor servname|"
    r"network is unreachable|max retries exceeded|timed out|did not answer before|"
    r"no kubeconfig|kubeconfig .* does not exist|no cluster|invalid kube-?config|"
    r"no \w+ server configured|rate exceeded|throttl|too many requests|service unavailable|"
    r"you must specify a region|security token included in the request is (invalid|expired)")


def environment_fault(kind: str, message: str, code: str | None = None,
                      status: int | None = None) -> bool:
    """Whether a call that failed with this error is the environment's fault."""
    if kind == "timeout":
        return True  # the target did not answer in time
    if kind != "provider_error":
        return False  # refused, invalid or unknown: the code asked for something wrong
    if status in _STATUS or (code and _CODE.match(code)):
        return True
    return bool(_TEXT.search(message or ""))
