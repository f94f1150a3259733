"""Register the starter library into ``tool_registry/`` the way an assistant would: through
``register_tool`` on a real ``mcp-sre serve`` over stdio, so every shipped tool passed the
registry's static checks, the security review and its own test in the sandbox against the local
targets (moto seeded with the demo data, the local Kubernetes endpoint with the crashloop
scenario).

    python tool_registry_src/seed.py                 # register what is new or changed
    python tool_registry_src/seed.py --only pods_not_ready --force
    python tool_registry_src/seed.py --registry-dir /tmp/reg --list

Idempotent: a tool whose active version already has the same code, test, description,
parameters, returns and request is skipped, so a second run registers nothing. Exits 1 when a
tool is refused (the registry's reasons are printed).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import yaml

__all__ = ["SOURCE_DIR", "TEST_MARKER", "ToolSource", "load_sources", "main", "pending"]

SOURCE_DIR = Path(__file__).resolve().parent
REPO_ROOT = SOURCE_DIR.parent
TEST_MARKER = "# --- test ---"


@dataclass
class ToolSource:
    """One entry of ``manifest.yaml`` with its code and test read from ``<name>.py``."""

    name: str
    description: str
    code: str
    test: str
    parameters: dict[str, Any]
    returns: dict[str, Any] | None = None
    request: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def arguments(self) -> dict[str, Any]:
        """The ``register_tool`` arguments."""
        args: dict[str, Any] = {"name": self.name, "description": self.description,
                                "code": self.code, "test": self.test,
                                "parameters": self.parameters}
        if self.returns is not None:
            args["returns"] = self.returns
        if self.request:
            args["request"] = self.request
        return args


def load_sources(source_dir: Path = SOURCE_DIR) -> list[ToolSource]:
    """Every tool of the manifest, in manifest order."""
    entries = yaml.safe_load((source_dir / "manifest.yaml").read_text(encoding="utf-8"))
    tools = []
    for entry in entries:
        name = entry["name"]
        text = (source_dir / f"{name}.py").read_text(encoding="utf-8")
        if TEST_MARKER not in text:
            raise SystemExit(f"{name}.py has no {TEST_MARKER!r} line between code and test")
        code, test = text.split(TEST_MARKER, 1)
        tools.append(ToolSource(
            name=name, description=" ".join(entry["description"].split()),
            code=code.rstrip() + "\n", test=test.strip("\n") + "\n",
            parameters=entry["parameters"], returns=entry.get("returns"),
            request=entry.get("request"),
            extra={k: v for k, v in entry.items() if k not in {
                "name", "description", "parameters", "returns", "request"}}))
    names = [t.name for t in tools]
    if len(names) != len(set(names)):
        raise SystemExit("manifest.yaml names a tool twice")
    return tools


def pending(tools: list[ToolSource], registry_dir: Path) -> list[ToolSource]:
    """The tools whose active version differs from the source (or that do not exist yet)."""
    from mcp_sre.errors import NotFoundError
    from mcp_sre.registry.store import RegistryStore

    store = RegistryStore(registry_dir)
    out = []
    for tool in tools:
        try:
            active = store.load(tool.name)
        except (NotFoundError, ValueError):
            out.append(tool)
            continue
        same = (active.code, active.test, active.description, active.parameters,
                active.returns, active.request) == (tool.code, tool.test, tool.description,
                                                    tool.parameters, tool.returns, tool.request)
        if not same or store.head(tool.name).status != "active":
            out.append(tool)
    return out


def _text(result: Any) -> str:
    return "\n".join(getattr(c, "text", "") for c in result.content or [])


async def _register(env: dict[str, str], tools: list[ToolSource]) -> list[tuple[str, str, bool]]:
    """Start ``mcp-sre serve`` over stdio and call register_tool for each tool."""
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(command=sys.executable, args=["-m", "mcp_sre", "serve"],
                                   env=env, cwd=str(REPO_ROOT))
    rows: list[tuple[str, str, bool]] = []
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        for tool in tools:
            started = time.perf_counter()
            result = await session.call_tool("register_tool", tool.arguments())
            wall = time.perf_counter() - started
            if result.is_error:
                rows.append((tool.name, f"REFUSED ({wall:.1f} s): {_text(result)}", False))
                continue
            data = result.structured_content or json.loads(_text(result))
            data = data.get("result", data)
            test = data.get("test") or {}
            rows.append((tool.name, f"registered v{data.get('version')} "
                         f"({', '.join(data.get('providers') or [])}; sandbox test "
                         f"{test.get('duration_ms', 0):.0f} ms, {wall:.1f} s in all)", True))
    return rows


@contextmanager
def _mock_clouds(workdir: Path) -> Iterator[dict[str, str]]:
    """Prism serving the GCP and Azure mock fleets of the tests (tests/cloud_mocks.py): the
    specs exported by ``mcp-sre specs export`` with chosen examples; the host's GCP and Azure
    settings pointed at it with placeholder tokens. Volcano Engine's fleet is a second Prism
    behind the signature-checking gateway (tests/conftest_volcengine.py), with test keys."""
    sys.path.insert(0, str(REPO_ROOT / "tests"))
    from cloud_mocks import azure_mock_document, gcp_mock_document
    from prism_mock import merge_openapi, start_prism

    env = {"MCP_SRE_HOME": str(workdir / "export-home"), "MCP_SRE_OFFLINE": "1"}
    doc = merge_openapi([gcp_mock_document(env), azure_mock_document(env)])
    from conftest_volcengine import volcengine_mock

    volc_dir = workdir / "volcengine"
    volc_dir.mkdir(exist_ok=True)
    with start_prism(doc, workdir) as url, volcengine_mock(volc_dir, env) as (_, volc_env):
        yield {"MCP_SRE_GCP_ENDPOINT": url, "GOOGLE_OAUTH_ACCESS_TOKEN": "mock-token",
               "MCP_SRE_AZURE_ENDPOINT": url, "AZURE_ACCESS_TOKEN": "mock-token", **volc_env}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registry-dir", type=Path, default=REPO_ROOT / "tool_registry",
                        help="Registry to fill (default: the repository's tool_registry/)")
    parser.add_argument("--only", nargs="+", default=None, help="Only these tools")
    parser.add_argument("--force", action="store_true",
                        help="Register even when the active version is the same")
    parser.add_argument("--list", action="store_true", help="Say what would be registered")
    args = parser.parse_args(argv)

    tools = load_sources()
    if args.only:
        unknown = sorted(set(args.only) - {t.name for t in tools})
        if unknown:
            parser.error(f"not in manifest.yaml: {', '.join(unknown)}")
        tools = [t for t in tools if t.name in set(args.only)]
    registry_dir = args.registry_dir.resolve()
    todo = tools if args.force else pending(tools, registry_dir)
    skipped = [t.name for t in tools if t not in todo]
    print(f"{len(tools)} tools in the manifest; {len(skipped)} unchanged, {len(todo)} to "
          f"register into {registry_dir}")
    if args.list or not todo:
        for tool in todo:
            print(f"  would register {tool.name}")
        return 0

    from mcp_sre_demo.targets import local_aws, local_kubernetes, merged_env

    workdir = Path(tempfile.mkdtemp(prefix="mcp-sre-seed-"))
    with ExitStack() as stack:
        print("starting moto (seeded) and the local Kubernetes endpoint (crashloop) ...")
        aws_env, _ = stack.enter_context(local_aws(workdir))
        k8s_env, _ = stack.enter_context(local_kubernetes(workdir, "crashloop"))
        print("starting Prism with the GCP, Azure and Volcano Engine mock fleets ...")
        cloud_env = stack.enter_context(_mock_clouds(workdir))
        env = merged_env(aws_env, k8s_env, cloud_env,
                         {"MCP_SRE_REGISTRY_DIR": str(registry_dir),
                          "MCP_SRE_OFFLINE": os.environ.get("MCP_SRE_OFFLINE", "1")})
        started = time.perf_counter()
        rows = anyio.run(_register, env, todo)
    for name, outcome, _ in rows:
        print(f"  {name}: {outcome}")
    refused = [name for name, _, ok in rows if not ok]
    print(f"registered {len(rows) - len(refused)}, refused {len(refused)}, unchanged "
          f"{len(skipped)} in {time.perf_counter() - started:.0f} s")
    shutil.rmtree(workdir, ignore_errors=True)
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
