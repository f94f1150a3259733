"""``scenario.yaml`` of a health evaluation case -> the local Kubernetes endpoint (the
simulator) serving that scenario, reached through a kubeconfig like any cluster."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path

import yaml

__all__ = ["target_for_case"]


@contextlib.contextmanager
def target_for_case(path: Path, workdir: Path, down: bool = False) -> Iterator[dict[str, str]]:
    from mcp_sre_kubernetes.sim.server import SimServer

    workdir.mkdir(parents=True, exist_ok=True)
    kubeconfig = workdir / "kubeconfig"
    server = SimServer(path, port=0)
    if down:  # the same credentials, aimed at a port nothing listens on
        config = server.kubeconfig()
        server._httpd.server_close()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        config["clusters"][0]["cluster"]["server"] = f"https://127.0.0.1:{port}"
        kubeconfig.write_text(yaml.safe_dump(config))
        yield {"KUBECONFIG": str(kubeconfig)}
        return
    server.write_kubeconfig(kubeconfig)
    server.start()
    try:
        yield {"KUBECONFIG": str(kubeconfig)}
    finally:
        server.stop()
