"""``mcp-sre demo --keep``: a real Prometheus scraping the demo's server, left running.

Started only when Debian's (or any) ``prometheus`` is on PATH. It scrapes the server's
``--metrics-port`` every two seconds with the shipped alert rules (from a checkout's
``deploy/prometheus/rules.yml``), so the ``deploy/grafana`` dashboards' queries answer over
what the demo did; its data stays in the kept work directory.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import yaml

from mcp_sre.config import PROJECT_ROOT

__all__ = ["free_port", "start_prometheus"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_prometheus(workdir: Path, metrics_port: int,
                     binary: str | None = None) -> tuple[subprocess.Popen[bytes], str] | None:
    """Prometheus on a free 127.0.0.1 port scraping ``127.0.0.1:metrics_port``; None when no
    ``prometheus`` is installed or it does not come up."""
    binary = binary or shutil.which("prometheus")
    if binary is None:
        return None
    folder = workdir / "prometheus"
    folder.mkdir(parents=True, exist_ok=True)
    config: dict[str, object] = {
        "global": {"scrape_interval": "2s", "evaluation_interval": "5s"},
        "scrape_configs": [{"job_name": "mcp-sre", "metrics_path": "/metrics",
                            "static_configs": [{"targets": [f"127.0.0.1:{metrics_port}"]}]}],
    }
    rules = PROJECT_ROOT / "deploy" / "prometheus" / "rules.yml"
    if rules.is_file():
        shutil.copy(rules, folder / "rules.yml")
        config["rule_files"] = ["rules.yml"]
    (folder / "prometheus.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (folder / "prometheus.log").open("wb")
    proc = subprocess.Popen(
        [binary, f"--config.file={folder / 'prometheus.yml'}",
         f"--storage.tsdb.path={folder / 'data'}", f"--web.listen-address=127.0.0.1:{port}"],
        stdout=log, stderr=log, start_new_session=True)  # outlives the demo with --keep
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.terminate()
    return None
