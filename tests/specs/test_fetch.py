"""Fetching a source: local files with their hash as validator, size limits, plugin schemes;
HTTP revalidation is covered against a real server in test_catalog.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcp_sre.errors import SpecFetchError
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.specs.fetch import fetch_source, sha256_of
from mcp_sre.specs.model import SpecSource


@pytest.fixture(scope="module")
def pm():
    return make_plugin_manager(only={"openapi"})


def test_local_file_is_revalidated_by_its_hash(tmp_path: Path, pm) -> None:
    spec = tmp_path / "spec.json"
    spec.write_bytes(b'{"openapi": "3.0.3"}')
    for url in (str(spec), f"file://{spec}"):
        got = fetch_source(SpecSource(name="s", provider="p", url=url), pm=pm)
        assert got.content == spec.read_bytes() and got.etag == sha256_of(got.content)
        again = fetch_source(SpecSource(name="s", provider="p", url=url), pm=pm, etag=got.etag)
        assert again.not_modified and again.content == b""


def test_errors_name_the_source_and_the_reason(tmp_path: Path, pm) -> None:
    with pytest.raises(SpecFetchError, match=r"'gone'.*file not found"):
        fetch_source(SpecSource(name="gone", provider="p", url=str(tmp_path / "no.json")), pm=pm)
    big = tmp_path / "big.json"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(SpecFetchError, match="2048 bytes exceeds the 1024-byte limit"):
        fetch_source(SpecSource(name="big", provider="p", url=str(big)), pm=pm, max_bytes=1024)
    with pytest.raises(SpecFetchError, match="no plugin can fetch 'weird:thing'"):
        fetch_source(SpecSource(name="w", provider="p", url="weird:thing"), pm=pm)
