"""Guest-side ``boto3``/``botocore`` shims, shipped as files and mapped into the sandbox.

The host never imports the modules below this package: :func:`load_shims` reads their source
and the ``sandbox_shims`` hook hands it to the sandbox, where ``boto3.client("ec2")`` returns a
client whose methods are bridged calls (``sre.request("aws/ec2/describe_instances", ...)``).
The host resolves the snake-case method name against the spec, checks the policy and runs the
real boto3 with the user's credentials; errors come back as ``botocore.exceptions.ClientError``.
"""

from __future__ import annotations

from pathlib import Path

from mcp_sre import hookimpl

__all__ = ["load_shims", "sandbox_shims"]

_HERE = Path(__file__).parent


def load_shims() -> dict[str, str]:
    """``{"boto3": source, "boto3.session": source, "botocore.exceptions": source, ...}``."""
    modules: dict[str, str] = {}
    for path in sorted(_HERE.glob("*/**/*.py")):
        parts = list(path.relative_to(_HERE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path.read_text(encoding="utf-8")
    return modules


@hookimpl
def sandbox_shims() -> dict[str, str]:
    return load_shims()
