"""A local Prometheus for tests, evaluation cases and the demo (Debian's ``prometheus`` and
``promtool``): OpenMetrics history is backfilled with ``promtool tsdb create-blocks-from
openmetrics``, then the server answers PromQL over it on 127.0.0.1.

Case files hold fixed timestamps; :func:`shift_openmetrics` moves them so the newest sample is
``lag_s`` seconds ago, which makes "the last hour" mean the file's last hour whenever it runs.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from mcp_sre.errors import McpSreError, MissingProgramError

__all__ = [
    "closed_port_url",
    "prometheus_available",
    "shift_openmetrics",
    "start_prometheus",
    "target_for_case",
]

_SAMPLE = re.compile(
    r"^(?P<head>[^#\s][^{\s]*(?:\{[^}]*\})?\s+\S+)\s+(?P<ts>\d+(?:\.\d+)?)"
    r"(?P<tail>\s*(?:#.*)?)$"
)


def prometheus_available() -> bool:
    return bool(shutil.which("prometheus") and shutil.which("promtool"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def closed_port_url() -> str:
    """An address nothing listens on (a source that is down)."""
    return f"http://127.0.0.1:{_free_port()}"


def shift_openmetrics(text: str, lag_s: float = 30.0, now: float | None = None) -> str:
    """Move every sample's timestamp by one offset so the newest is ``lag_s`` before now; a
    sample written without a timestamp gets that newest time."""
    stamps = [
        float(m.group("ts")) for line in text.splitlines() if (m := _SAMPLE.match(line.strip()))
    ]
    newest = (now or time.time()) - lag_s
    offset = newest - max(stamps) if stamps else 0.0
    out = []
    for line in text.splitlines():
        m = _SAMPLE.match(line.strip())
        if m:
            ts = float(m.group("ts")) + offset
            line = f"{m.group('head')} {ts:.3f}{m.group('tail')}"
        elif (
            line.strip()
            and not line.lstrip().startswith("#")
            and len(line.split("}")[-1].split()) == 1 + ("{" not in line)
        ):
            line = f"{line.rstrip()} {newest:.3f}"  # a sample without a time: now
        out.append(line)
    body = "\n".join(out).rstrip()
    return (body if body.endswith("# EOF") else body + "\n# EOF") + "\n"


@contextlib.contextmanager
def start_prometheus(
    workdir: Path, openmetrics: str | None = None, shift: bool = True
) -> Iterator[str]:
    """Backfill ``openmetrics`` (if any) and serve it; yield the base URL."""
    if not prometheus_available():
        raise MissingProgramError(
            "prometheus/promtool are not installed",
            hint="apt-get install --no-install-recommends prometheus",
        )
    workdir.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="tsdb-", dir=workdir))
    if openmetrics:
        source = workdir / "backfill.om"
        source.write_text(shift_openmetrics(openmetrics) if shift else openmetrics)
        done = subprocess.run(
            ["promtool", "tsdb", "create-blocks-from", "openmetrics", str(source), str(data)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise McpSreError(f"promtool could not backfill: {done.stderr.strip()[-500:]}")
    config = workdir / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 1h\n  evaluation_interval: 1h\n")
    port = _free_port()
    log_path = workdir / "prometheus.log"
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(
            [
                "prometheus",
                f"--config.file={config}",
                f"--storage.tsdb.path={data}",
                "--storage.tsdb.retention.time=30d",
                f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError as exc:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise McpSreError(
                        f"prometheus did not start: {log_path.read_text()[-500:]}"
                    ) from exc
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def target_for_case(path: Path, workdir: Path, down: bool = False) -> Iterator[dict[str, str]]:
    """``metrics.om`` of an evaluation case -> a backfilled local Prometheus (env for the host)."""
    if down:
        yield {"MCP_SRE_PROMETHEUS_URL": closed_port_url()}
        return
    with start_prometheus(workdir / "prometheus", path.read_text(encoding="utf-8")) as url:
        yield {"MCP_SRE_PROMETHEUS_URL": url}
