"""Red team (issue 20, items 3 and 9): the metrics listener and the start-up checks.

Before the fix the ``--metrics-port`` listener bound wherever the server did with no token and
no Host/Origin check, a non-loopback bind had no explicit opt-out but a token, and a server
whose ``MCP_SRE_HOME`` was a file, under /proc or read-only started and then failed every call
with raw errno/sqlite errors.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from mcp_sre.cli import main
from mcp_sre.errors import McpSreError
from mcp_sre.home_check import HomeError, check_home
from mcp_sre.observability.serving import MetricsServer
from mcp_sre.server.transport import metrics_guard, require_token, run_server


def test_home_that_is_a_file_or_under_proc_is_refused(tmp_path: Path) -> None:
    afile = tmp_path / "home-file"
    afile.write_text("x")
    with pytest.raises(HomeError, match="is a file"):
        check_home(afile)
    with pytest.raises(HomeError, match="kernel filesystem"):
        check_home("/proc/self/mcp-sre")
    with pytest.raises(HomeError, match="not writable"):
        check_home(afile / "below-a-file")
    assert check_home(tmp_path / "fresh").is_dir()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_read_only_home_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "ro"
    home.mkdir()
    home.chmod(0o500)
    try:
        with pytest.raises(HomeError, match="not writable"):
            check_home(home)
    finally:
        home.chmod(0o700)


@pytest.mark.parametrize("home", ["/proc/mcp-sre-home", "FILE"])
def test_serve_refuses_a_bad_home_with_one_line(tmp_path: Path, home: str) -> None:
    if home == "FILE":
        home = str(tmp_path / "f")
        Path(home).write_text("x")
    result = CliRunner().invoke(main, ["serve"], env={"MCP_SRE_HOME": home})
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: MCP_SRE_HOME="), result.output
    assert "Traceback" not in result.output


def test_no_token_is_an_explicit_opt_out() -> None:
    with pytest.raises(McpSreError, match="--no-token"):
        require_token("10.0.0.1", None, False, "serve")
    require_token("10.0.0.1", None, True, "serve")  # a person chose it
    require_token("127.0.0.1", None, False, "serve")


def test_metrics_port_follows_the_same_rules() -> None:
    with pytest.raises(McpSreError, match="without a token"):
        run_server("streamable-http", host="10.0.0.1", port=1, metrics_port=2)
    with pytest.raises(McpSreError, match=r"serve metrics on 10\.0\.0\.1 without a token"):
        require_token("10.0.0.1", None, False, "serve metrics")


def test_metrics_listener_checks_host_origin_and_token() -> None:
    from prometheus_client import CollectorRegistry, Counter

    registry = CollectorRegistry()
    Counter("rt_total", "red team", registry=registry).inc()
    server = MetricsServer(registry, 0, "127.0.0.1",
                           guard=metrics_guard("127.0.0.1", "s3cret"))
    try:
        url = f"http://127.0.0.1:{server.port}/metrics"
        auth = {"Authorization": "Bearer s3cret"}
        assert httpx.get(url, headers=auth).status_code == 200
        assert "rt_total" in httpx.get(url, headers=auth).text
        assert httpx.get(url).status_code == 401
        assert httpx.get(url, headers={**auth, "Host": "evil.example"}).status_code == 403
        assert httpx.get(url, headers={**auth, "Origin": "http://evil.example"}).status_code \
            == 403
    finally:
        server.close()
