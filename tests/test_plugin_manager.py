"""The plugin system: built-ins load through entry points, env toggles, hooks are documented."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from mcp_sre import hookimpl, hookspecs
from mcp_sre.config import load_settings
from mcp_sre.plugin_manager import installed_plugin_names, make_plugin_manager
from mcp_sre.specs.catalog import SpecCatalog
from mcp_sre.specs.model import SpecSource

BUILTINS = {"openapi", "swagger", "botocore", "discovery", "proto", "graphql", "html",
            "aws", "kubernetes", "gcp", "azure", "volcengine", "volcenginesdk"}


def test_builtins_are_entry_points() -> None:
    assert set(installed_plugin_names()) >= BUILTINS
    pm = make_plugin_manager()
    assert {name for name, _ in pm.list_name_plugin()} >= BUILTINS


def test_env_limits_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MCP_SRE_PLUGINS", "openapi, swagger")
    assert {n for n, _ in make_plugin_manager().list_name_plugin()} == {"openapi", "swagger"}
    monkeypatch.delenv("MCP_SRE_PLUGINS")
    monkeypatch.setenv("MCP_SRE_DISABLE_PLUGINS", "graphql")
    names = {n for n, _ in make_plugin_manager().list_name_plugin()}
    assert "graphql" not in names and "openapi" in names


def test_every_hook_is_documented() -> None:
    specs = [f for name, f in inspect.getmembers(hookspecs, inspect.isfunction)
             if hasattr(f, "mcp_sre_spec")]
    assert len(specs) >= 9
    for fn in specs:
        assert fn.__doc__ and len(fn.__doc__.split()) >= 8, f"{fn.__name__} needs a docstring"


def test_hooks_in_readme_or_docs() -> None:
    """Every hook name appears in the plugin docs, so plugin authors can find it."""
    doc = (Path(__file__).parents[1] / "docs" / "plugins.md").read_text()
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction):
        if hasattr(fn, "mcp_sre_spec"):
            assert f"`{name}" in doc, f"hook {name} is not documented in docs/plugins.md"


class ThirdPartyFormat:
    """A plugin as an outside package would write it: a made-up line-based format."""

    @hookimpl
    def detect_spec_format(self, content: bytes, source: SpecSource) -> str | None:
        return "ops-lines" if content.startswith(b"#ops\n") else None

    @hookimpl
    def parse_spec(self, fmt, content, source, info):
        if fmt != "ops-lines":
            return None
        from mcp_sre.specs.model import APISpec

        out = []
        for line in content.decode().splitlines()[1:]:
            method, name = line.split()
            out.append(APISpec(id=APISpec.make_id(source.provider, source.name, name), name=name,
                               provider=source.provider, service=source.name, method=method,
                               access="read" if method == "GET" else "write", source=info))
        return out

    @hookimpl
    def register_doc_sources(self, register):
        register(SpecSource(name="thirdparty", provider="tp", url="/nonexistent", default=False))


def test_third_party_plugin(tmp_path: Path) -> None:
    spec = tmp_path / "x.ops"
    spec.write_text("#ops\nGET listX\nPOST makeX\n")
    pm = make_plugin_manager(extra=[ThirdPartyFormat()])
    settings = load_settings(home=tmp_path / "home",
                             sources=[{"name": "x", "provider": "x", "url": str(spec)}])
    catalog = SpecCatalog(settings, pm)
    assert "thirdparty" in {s.name for s in catalog.sources()}
    assert catalog.get("x/x/listX").access == "read"
    assert catalog.get("x/x/makeX").access == "write"


def test_broken_plugin_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plugin that fails to import is logged and skipped, not fatal."""
    from importlib.metadata import EntryPoint

    import mcp_sre.plugin_manager as plugin_manager

    broken = EntryPoint(name="broken", value="mcp_sre_does_not_exist", group="mcp_sre")
    real = plugin_manager.entry_points
    monkeypatch.setattr(plugin_manager, "entry_points",
                        lambda group: [*real(group=group), broken])
    pm = make_plugin_manager()
    assert pm.get_plugin("broken") is None and pm.get_plugin("openapi") is not None
    assert "ModuleNotFoundError" in pm.failed["broken"]
