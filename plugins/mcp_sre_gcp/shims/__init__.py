"""Guest-side ``googleapiclient`` (and ``google.auth``) shims, shipped as files and mapped into
the sandbox; the host never imports the modules below this package.

``discovery.build("compute", "v1").instances().list(project=..., zone=...).execute()`` becomes
``sre.request("gcp/compute/compute.instances.list", {...})``: the host finds the discovery
method, checks the policy and runs it with the user's Google credentials. Cloud errors come
back as ``googleapiclient.errors.HttpError``.
"""

from __future__ import annotations

from pathlib import Path

from mcp_sre import hookimpl

__all__ = ["load_shims", "sandbox_shims"]

_HERE = Path(__file__).parent


def load_shims() -> dict[str, str]:
    """``{"googleapiclient": source, "googleapiclient.discovery": source, ...}``."""
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
