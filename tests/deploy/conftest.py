"""Fixtures for the deploy/ checks: Debian's Prometheus binaries (skip with a reason when
absent)."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture(scope="session")
def prometheus_bins() -> tuple[str, str]:
    """(prometheus, promtool), or skip: .ci/run installs Debian's prometheus package."""
    prometheus, promtool = shutil.which("prometheus"), shutil.which("promtool")
    if not (prometheus and promtool):
        pytest.skip("Debian's prometheus (with promtool) is not installed; .ci/run installs it")
    return prometheus, promtool
