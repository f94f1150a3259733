"""The built wheel is a working server on its own (what ``uvx mcp-sre serve`` and ``pipx run
mcp-sre serve`` install): no checkout on the path, the console script from the wheel, the
plugins found through the wheel's entry points, spec snapshots and the starter tool library
from the wheel's data files.

The wheel is built from a copy of the tracked files (building in place would leave ``build/``
in the checkout) and installed without dependencies into a fresh virtual environment that
borrows this environment's installed packages through a ``.pth`` file: PyPI is not a server
the tests start. ``.ci/run`` also installs the wheel with its dependencies from the index into
an empty virtual environment, as pipx and uvx do, and runs these tests against it
(``MCP_SRE_TEST_WHEEL_ENV``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _tracked_copy(dest: Path) -> Path:
    try:
        files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                               check=True, timeout=60).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files are unknown")
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed; returns its bin directory."""
    if given := os.environ.get("MCP_SRE_TEST_WHEEL_ENV"):
        return Path(given) / "bin"
    tmp = tmp_path_factory.mktemp("wheel")
    source = _tracked_copy(tmp / "src")
    dist = tmp / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(dist), str(source)],
                   check=True, timeout=600, capture_output=True)
    (wheel,) = dist.glob("mcp_sre-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    purelib = Path(subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()"
         "['purelib'])"], check=True, capture_output=True, text=True).stdout.strip())
    here = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
                          *(p for p in sys.path if p.endswith(("site-packages", "dist-packages")))])
    # directories only: the .pth files inside them (this checkout's editable finder) stay
    # unprocessed, so nothing but the wheel can provide mcp_sre
    (purelib / "zz_borrowed_dependencies.pth").write_text("\n".join(here) + "\n")  # this order
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"),
                    "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, timeout=600, capture_output=True)
    return venv / "bin"


def test_the_wheel_alone_provides_the_package(wheel_env: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [str(wheel_env / "python"), "-c", "import mcp_sre, mcp_sre_aws; "
         "print(mcp_sre.__file__); print(mcp_sre_aws.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, check=True, timeout=120).stdout.split()
    assert all(str(wheel_env.parent) in path for path in where), where
    assert not any(str(ROOT) in path for path in where)


async def test_mcp_sre_serve_from_the_wheel(wheel_env: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MCP_SRE_")}
    params = StdioServerParameters(command=str(wheel_env / "mcp-sre"), args=["serve"],
                                   env={**env, "MCP_SRE_HOME": str(home)}, cwd=str(tmp_path))
    errlog = tmp_path / "stderr.log"
    with errlog.open("w") as err:
        async with stdio_client(params, errlog=err) as (r, w), ClientSession(r, w) as session:
            await session.initialize()
            names = {t.name for t in (await session.list_tools()).tools}
            sources = await session.call_tool("list_spec_sources", {})
            found = await session.call_tool("find_tool", {"request": "列出CPU>80%的EC2实例"})
    assert {"search_apis", "run_code", "find_tool", "investigate"} <= names
    assert not sources.is_error, sources.content
    text = " ".join(c.text for c in sources.content)
    for provider in ("aws", "kubernetes", "gcp", "azure", "volcengine"):
        assert provider in text, provider  # plugins reached through the wheel's entry points
    assert not found.is_error, found.content
    assert "ec2_instances_high_cpu" in found.content[0].text  # the wheel's starter library
    assert (home / "tool_registry" / "ec2_instances_high_cpu").is_dir()
    assert "Traceback" not in errlog.read_text()
