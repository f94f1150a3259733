"""The host policy: which bridged calls may run.

Order of the checks, first refusal wins:

1. the provider is enabled for this run (``providers=``);
2. the operation is not on the deny list: the user's ``deny`` globs, the built-in sensitive
   reads below, every plugin's ``sensitive_operations``, and operations whose answer the spec
   itself marks as a secret (the ``secret_operation`` hook) -- unless a person exempted it
   with ``allow_sensitive``;
3. it is a read (``APISpec.access``), or writes were explicitly allowed for this run
   (``allow_writes=True`` or a list of globs), which only a person can do (CLI option);
4. the per-operation rate limit (calls per minute, shared by every run of one ``Sandbox``)
   and the per-run call budget are not exhausted.

Globs match operation ids (``provider/service/Operation``) case-insensitively.
"""

from __future__ import annotations

import fnmatch
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field

from mcp_sre.specs.model import APISpec

__all__ = ["BUILTIN_SENSITIVE", "Decision", "Policy", "PolicyConfig", "RateLimiter"]

# Provider-neutral names of reads that return secret material. Cloud plugins add precise
# lists through the ``sensitive_operations`` hook; these catch the obvious ones anywhere.
BUILTIN_SENSITIVE: tuple[str, ...] = (
    "*/*/*secretvalue*",  # Secrets Manager style
    "*/*/*decrypt*",  # KMS style
    "*/*/get*credential*",  # credential reports, temporary credentials
    "*/*/*authorizationtoken*",  # registry / artifact tokens
    "*/*/read*secret",  # Kubernetes style readCoreV1NamespacedSecret
    "*/*/list*secret",  # listCoreV1NamespacedSecret
    "*/*/list*secretforallnamespaces",
    # Calls whose purpose is minting a token, credentials or key material. Many are classed as
    # writes (they create a grant), so allowing writes must not unlock them: this list is checked
    # before the write rule, whatever the write setting.
    "*/*/assume*",  # AssumeRole*, AssumeRoot
    "*/*/get*token",  # GetAccessToken, GetWebIdentityToken, GetSessionToken
    "*/*/get*tokens",
    "*/*/create*token",  # CreateToken, create...ServiceAccountToken
    "*/*/createtoken*",  # CreateTokenWithIAM
    "*/*/*sharedsecret*",  # DeriveSharedSecret
    "*/*/export*certificate*",  # ExportCertificate
    "*/*/*privatekey*",
    # Every verb on a Kubernetes-style Secret returns its data (patch, replace, create, delete).
    "*/*/*namespacedsecret",
)


class PolicyConfig(BaseModel):
    """Policy settings of one :class:`~mcp_sre.sandbox.Sandbox` (every run shares them)."""

    deny: list[str] = Field(default_factory=list, description="Extra operation globs to refuse")
    allow_sensitive: list[str] = Field(
        default_factory=list,
        description="Globs exempted from the sensitive-read deny list (a person's explicit choice)",
    )
    rate_limit_per_minute: int = Field(
        default=300, ge=1, description="Calls per minute allowed for one operation, all runs"
    )
    max_calls_per_run: int = Field(default=500, ge=1, description="Bridged calls per run")


@dataclass(frozen=True)
class Decision:
    """The policy's answer for one call."""

    allowed: bool
    reason: str = ""
    rule: str = ""  # provider | deny | sensitive | write | rate | budget


def _matches(op_id: str, patterns: Iterable[str]) -> str | None:
    low = op_id.lower()
    for pattern in patterns:
        if fnmatch.fnmatchcase(low, pattern.lower()):
            return pattern
    return None


class RateLimiter:
    """Sliding one-minute window per operation; thread-safe."""

    def __init__(self, per_minute: int, window_s: float = 60.0) -> None:
        self.per_minute = per_minute
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def acquire(self, op_id: str) -> bool:
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(op_id, deque())
            while hits and now - hits[0] > self.window_s:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return False
            hits.append(now)
            return True


class Policy:
    """Decides every bridged call. One instance per sandbox; ``decide`` is thread-safe."""

    def __init__(self, config: PolicyConfig | None = None,
                 sensitive: Iterable[str] = (),
                 secret_check: Callable[[APISpec], str | None] | None = None) -> None:
        self.config = config or PolicyConfig()
        self.sensitive: tuple[str, ...] = tuple(dict.fromkeys([*BUILTIN_SENSITIVE, *sensitive]))
        self.limiter = RateLimiter(self.config.rate_limit_per_minute)
        # the spec's own word that an operation's answer is a secret (``secret_operation``)
        self.secret_check = secret_check
        self._secret: dict[str, str | None] = {}

    def _secret_reason(self, spec: APISpec) -> str | None:
        if self.secret_check is None:
            return None
        if spec.id not in self._secret:
            try:
                self._secret[spec.id] = self.secret_check(spec)
            except Exception as exc:  # a failing check refuses: it cannot vouch for the call
                self._secret[spec.id] = f"its secret check failed ({type(exc).__name__})"
        return self._secret[spec.id]

    def decide(
        self,
        spec: APISpec,
        *,
        allow_writes: bool | Sequence[str] = False,
        providers: Iterable[str] | None = None,
        calls_so_far: int = 0,
    ) -> Decision:
        op = spec.id
        if providers is not None and spec.provider not in set(providers):
            return Decision(False, f"provider {spec.provider!r} is not enabled for this run "
                            f"(enabled: {', '.join(sorted(providers)) or 'none'})", "provider")
        rule = _matches(op, self.config.deny)
        if rule:
            return Decision(False, f"{op} is on the deny list ({rule})", "deny")
        rule = _matches(op, self.sensitive)
        if rule and not _matches(op, self.config.allow_sensitive):
            return Decision(False, f"{op} returns secret material and is refused (rule {rule}); "
                            "read metadata with a Describe/List operation instead", "sensitive")
        secret = self._secret_reason(spec)
        if secret and not _matches(op, self.config.allow_sensitive):
            return Decision(False, f"{op} returns secret material and is refused ({secret}); "
                            "read metadata with a Describe/List operation instead", "sensitive")
        if spec.access != "read" and not self._writes_allowed(op, allow_writes):
            return Decision(False, f"{op} is a write operation and the sandbox is read-only; "
                            "a person can allow writes explicitly (mcp-sre run --allow-writes)",
                            "write")
        if calls_so_far >= self.config.max_calls_per_run:
            return Decision(False, f"call budget of {self.config.max_calls_per_run} calls per "
                            "run exhausted; narrow the query (filters, fewer pages)", "budget")
        if not self.limiter.acquire(op):
            return Decision(False, f"rate limit for {op} reached "
                            f"({self.config.rate_limit_per_minute} calls per minute)", "rate")
        return Decision(True)

    @staticmethod
    def _writes_allowed(op: str, allow_writes: bool | Sequence[str]) -> bool:
        if isinstance(allow_writes, bool):
            return allow_writes
        return _matches(op, allow_writes) is not None
