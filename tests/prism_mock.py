"""Prism (``@stoplight/prism-cli``, npm) serving specs exported by ``mcp-sre specs export``: the
mock server of the clouds that have no emulator (GCP, Azure, Volcano Engine).

    doc = exported_openapi(["gcp-compute"], only=["gcp/compute/compute.instances.*"], home=...)
    add_example(doc, "/compute/v1/projects/{project}/zones/{zone}/instances", "get", {...})
    with start_prism(doc, tmp_path) as endpoint:   # http://127.0.0.1:PORT
        ...

Prism is looked up in ``MCP_SRE_PRISM``, ``.ci/node`` (where ``.ci/run`` installs it),
``/work/node`` and ``PATH``; :func:`prism_or_skip` skips the calling test cleanly without it.
Operations answer from the examples a test chose (static mode), else from the schema.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

__all__ = ["add_example", "exported_openapi", "find_prism", "merge_openapi", "prism_or_skip",
           "start_prism"]

REPO = Path(__file__).resolve().parent.parent


def find_prism() -> str | None:
    candidates = [os.environ.get("MCP_SRE_PRISM", ""),
                  str(REPO / ".ci/node/node_modules/.bin/prism"),
                  "/work/node/node_modules/.bin/prism", shutil.which("prism") or ""]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def prism_or_skip() -> str:
    exe = find_prism()
    if exe is None or shutil.which("node") is None:
        pytest.skip("Prism (npm @stoplight/prism-cli) is not installed; .ci/run installs it")
    return exe


def exported_openapi(sources: Iterable[str], *, only: Iterable[str] = (),
                     env: dict[str, str] | None = None) -> dict[str, Any]:
    """``mcp-sre specs export SOURCE --format openapi --only GLOB...`` of each source, merged."""
    from mcp_sre.cli import main

    docs = []
    args_only = [a for glob in only for a in ("--only", glob)]
    for source in sources:
        result = CliRunner().invoke(main, ["specs", "export", source, "--format", "openapi",
                                           *args_only], env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        docs.append(json.loads(result.stdout))
    return merge_openapi(docs)


def merge_openapi(docs: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": "mock", "version": "1"},
                              "servers": [{"url": "/"}], "paths": {}}
    for doc in docs:
        for path, item in doc["paths"].items():
            merged["paths"].setdefault(path, {}).update(item)
    return merged


def add_example(doc: dict[str, Any], path: str, method: str, body: Any) -> None:
    """Make ``method path`` answer ``body`` (Prism's static mode serves the example)."""
    operation = doc["paths"][path][method]
    content = operation["responses"]["200"].setdefault("content", {})
    content.setdefault("application/json", {})["example"] = body
    content["application/json"].pop("examples", None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def start_prism(doc: dict[str, Any], workdir: Path, *, timeout_s: float = 60.0) -> Iterator[str]:
    """Serve ``doc`` with Prism on a free 127.0.0.1 port; yield ``http://127.0.0.1:PORT``."""
    exe = prism_or_skip()
    spec = workdir / "mock-openapi.json"
    spec.write_text(json.dumps(doc), encoding="utf-8")
    port = _free_port()
    log_path = workdir / "prism.log"
    with open(log_path, "wb") as out:
        proc = subprocess.Popen([exe, "mock", "-h", "127.0.0.1", "-p", str(port), "--errors",
                                 "false", str(spec)], stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/__mcp_sre_ready__", timeout=2)
                break
            except urllib.error.HTTPError:
                break  # any HTTP answer (404) means Prism is up
            except OSError as exc:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("Prism did not start: "
                                       + log_path.read_text(errors="replace")[-800:]) from exc
                time.sleep(0.2)
        yield endpoint
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
