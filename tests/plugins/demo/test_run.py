"""The README's main job, ``mcp-sre demo``, end to end in a fresh data directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_demo_runs_end_to_end(home: Path, module_dir: Path) -> None:
    env = {**os.environ, "MCP_SRE_HOME": str(home), "MCP_SRE_WASM_CACHE": str(module_dir),
           "COLUMNS": "200"}
    out = subprocess.run([sys.executable, "-m", "mcp_sre", "demo"], env=env,
                         capture_output=True, text=True, timeout=600)
    text = out.stdout
    assert out.returncode == 0, f"exit {out.returncode}\n" + text[-3000:] + out.stderr[-2000:]
    assert "kubernetes/core_v1/listCoreV1NamespacedPod" in text
    assert "above 80%:" in text and "policy_denied" in text
    assert "notifications/tools/list_changed received: True" in text
    assert "pod_placement in tools/list: True" in text
    assert "crash_looping_pods" in text and "OOMKilled" in text
    assert "电商平台 健康报告" in text and "prometheus:" in text  # the hard mode, all sources
    assert "overall: unhealthy" in text and "checkout" in text
    assert "everything else started was stopped" in text
