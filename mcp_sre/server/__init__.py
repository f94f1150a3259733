"""The MCP server: tools, resources and prompts over stdio, SSE and streamable HTTP.

Long work (spec sync, index builds, sandbox runs) runs in worker threads so the event loop keeps
answering; typed mcp-sre errors become MCP tool errors whose text says what to do.
"""

from __future__ import annotations

import functools
import threading
import time
from typing import Any

from mcp_sre import __version__
from mcp_sre.config import Settings, load_settings
from mcp_sre.observability import Observability, SourceFreshness
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.server.app import DynamicTool, SreMCP
from mcp_sre.specs.catalog import SpecCatalog

__all__ = ["DynamicTool", "ServerState", "SreMCP", "build_server"]

INSTRUCTIONS = """\
mcp-sre answers SRE questions across AWS, Kubernetes, GCP, Azure and any API you add, from the
live API specs. Find operations with search_apis, read one with get_api_spec, run read-only
Python in the sandbox with run_code. Reuse a registered tool (find_tool) before writing code;
generate_tool writes and tests code for a request (or returns a context pack so you can write it
and submit it with register_tool). Everything runs read-only against clouds by default."""


class ServerState:
    """What the tools share: one plugin manager and one catalog per server (the catalog's
    manager when a catalog is given), passed to the parts built on first use (the retrieval
    index, the vocabulary, the sandbox, the tool registry) so the server starts fast."""

    def __init__(self, settings: Settings | None = None, catalog: SpecCatalog | None = None,
                 observability: Observability | None = None):
        self.settings = settings or (catalog.settings if catalog else load_settings())
        self.pm = catalog.pm if catalog else make_plugin_manager()
        self.catalog = catalog or SpecCatalog(self.settings, self.pm)
        self._lock = threading.Lock()
        # Registers and exposes tools (RegisteredToolsPublisher); set by build_server when the
        # registry's tools are added, None on a server without them.
        self.publisher: Any = None
        self.observability = observability or Observability.from_settings(self.settings,
                                                                          __version__)
        if self.observability.metrics is not None:
            self.observability.metrics.state.sources = self._freshness
            self.observability.metrics.state.registry_size = self._registry_size

    def _freshness(self) -> list[SourceFreshness]:
        """Spec sources as the catalog sees them (read at scrape time)."""
        now = time.time()
        return [SourceFreshness(s.name, s.provider, (now - s.fetched_at.timestamp())
                                if s.fetched_at else None, s.stale, bool(s.error),
                                s.operations) for s in self.catalog.status()]

    def _registry_size(self) -> dict[str, int]:
        if "registry" not in self.__dict__:  # not built yet: do not build it for a scrape
            return {}
        store = self.registry.store
        counts: dict[str, int] = {}
        for name in store.names():
            try:
                status = store.head(name).status
            except Exception:
                continue
            counts[status] = counts.get(status, 0) + 1
        return counts

    @functools.cached_property
    def vocabulary(self) -> Any:
        """The search vocabulary: the core's merged with the plugins'."""
        from mcp_sre.retrieval.vocabulary import load_vocabulary

        return load_vocabulary(self.pm)

    @functools.cached_property
    def operations(self) -> Any:
        """Operation id -> APISpec over the catalog, with per-service name listing."""
        from mcp_sre.sandbox import CatalogOperations

        return CatalogOperations(self.catalog)

    @functools.cached_property
    def retriever(self) -> Any:
        from mcp_sre.llm.resolve import query_rewrite_llm
        from mcp_sre.retrieval import Retriever

        vocabulary = self.vocabulary
        with self._lock:
            return Retriever(settings=self.settings, catalog=self.catalog, pm=self.pm,
                             vocabulary=vocabulary, llm=query_rewrite_llm(self.settings),
                             learner=self.learner)

    @functools.cached_property
    def sandbox(self) -> Any:
        from mcp_sre.sandbox import Sandbox

        operations = self.operations
        with self._lock:
            return Sandbox(settings=self.settings, pm=self.pm, operation_lookup=operations)

    @functools.cached_property
    def registry(self) -> Any:
        from mcp_sre.registry import ToolRegistry

        operations = self.operations
        with self._lock:  # cheap: the sandbox is only built when a tool first runs
            return ToolRegistry(self.settings, sandbox=lambda: self.sandbox, pm=self.pm,
                                operation_lookup=operations, embed=_SharedEmbedder(self),
                                vocabulary=lambda: self.vocabulary)

    @functools.cached_property
    def learner(self) -> Any:
        """Lessons from feedback (None with MCP_SRE_LEARNING=0); an operation is known when
        the catalog has it."""
        from mcp_sre.errors import McpSreError
        from mcp_sre.learning import learner_from_settings

        @functools.lru_cache(maxsize=4096)
        def known(op: str) -> bool:
            try:
                self.catalog.get(op)
                return True
            except McpSreError:
                return False

        return learner_from_settings(self.settings, known=known)

    def learn_from_runs(self, tool: Any) -> Any:
        """Decorate ``run_code``: its runs teach the learner (see ``learning_tools``)."""
        from mcp_sre.server.learning_tools import learn_from_runs

        return learn_from_runs(self, tool)


class _SharedEmbedder:
    """The retrieval index's embedding model, lent to the tool registry's matcher (loaded on
    first use; when it cannot load, the matcher falls back to its lexical score)."""

    def __init__(self, state: ServerState) -> None:
        self.state = state

    def _model(self) -> Any:
        model = self.state.retriever.embedder
        if model is None:
            raise RuntimeError("no embedding model available")
        return model

    @property
    def model_id(self) -> str:
        return str(getattr(self._model(), "model_id", "embedder"))

    def embed_query(self, text: str) -> Any:
        return self._model().embed_query(text)

    def embed_documents(self, texts: list[str]) -> Any:
        return self._model().embed_documents(texts)


def build_server(state: ServerState | None = None, **fastmcp_options: Any) -> SreMCP:
    """A configured server; ``fastmcp_options`` go to the SDK's ``MCPServer`` (log_level,
    debug, ...; host and port belong to the transport, see ``transport.run_server``)."""
    from mcp_sre.server.codegen_tools import register_codegen_tools
    from mcp_sre.server.diagnosis_tools import register_diagnosis_tools
    from mcp_sre.server.health_tools import register_health_tools
    from mcp_sre.server.manager_tools import register_manager_tools
    from mcp_sre.server.prompts import register_prompts
    from mcp_sre.server.registry_tools import register_registry_tools
    from mcp_sre.server.search_tools import register_search_tools
    from mcp_sre.server.spec_tools import register_spec_tools

    state = state or ServerState()
    fastmcp_options.setdefault("log_level", "WARNING")
    mcp = SreMCP("mcp-sre", instructions=INSTRUCTIONS, version=__version__,
                 observability=state.observability, **fastmcp_options)
    _register_routes(mcp, state)
    register_spec_tools(mcp, state)
    from mcp_sre.server.learning_tools import register_learning_tools  # feedback

    register_learning_tools(mcp, state)
    register_search_tools(mcp, state)
    register_codegen_tools(mcp, state)
    register_diagnosis_tools(mcp, state)
    register_health_tools(mcp, state)
    register_manager_tools(mcp, state)
    register_prompts(mcp)
    _register_plugin_tools(mcp, state)
    register_registry_tools(mcp, state)  # last: registered tools may not shadow the above
    return mcp


def _register_routes(mcp: SreMCP, state: ServerState) -> None:
    """``/metrics`` and ``/healthz`` on the HTTP transports (same port as MCP)."""
    from mcp_sre.observability.serving import healthz, metrics_route

    if state.observability.metrics is not None:
        mcp.custom_route("/metrics", methods=["GET"], name="metrics")(
            metrics_route(state.observability.metrics.registry))
    mcp.custom_route("/healthz", methods=["GET"], name="healthz")(healthz)


def _register_plugin_tools(mcp: SreMCP, state: ServerState) -> None:
    """Plugins add tools through ``register_tools(register)``; names must not clash."""

    def register(fn: Any, name: str | None = None, description: str | None = None) -> None:
        tool_name = name or fn.__name__
        if mcp.has_builtin_tool(tool_name):
            raise ValueError(f"plugin tool {tool_name!r} clashes with an existing tool")
        mcp.add_tool(fn, name=tool_name, description=description)

    state.pm.hook.register_tools(register=register)
