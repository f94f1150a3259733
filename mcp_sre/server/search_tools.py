"""``search_apis``: find the operations for a request, in English or Chinese."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from mcp_sre.errors import McpSreError
from mcp_sre.llm.resolve import resolve_llm
from mcp_sre.retrieval.llm_rerank import WINDOW
from mcp_sre.retrieval.llm_rerank import llm_rerank as rerank_with_model
from mcp_sre.retrieval.searcher import SearchResult
from mcp_sre.server.app import client_session, in_thread, progress_reporter, tool_errors
from mcp_sre.server.sdk import Context, FastMCP

if TYPE_CHECKING:
    from collections.abc import Callable

    from mcp_sre.server import ServerState

__all__ = ["register_search_tools"]


def register_search_tools(mcp: FastMCP, state: ServerState) -> None:
    @mcp.tool(annotations={"readOnlyHint": True})
    @tool_errors
    async def search_apis(
        query: Annotated[str, Field(description="What you want to do, in English or Chinese, "
                                    "e.g. 'list pods in namespace shop' or '查看EC2实例的CPU'")],
        provider: Annotated[str | None, Field(description="Only this provider (the first part "
                                              "of an operation id). Default: the providers the "
                                              "request names, else the server's configured ones "
                                              "(MCP_SRE_PROVIDERS), else all")] = None,
        service: Annotated[str | None, Field(description="Only this service, e.g. ec2, "
                                             "core_v1")] = None,
        top_k: Annotated[int, Field(ge=1, le=50, description="How many results")] = 10,
        llm_rerank: Annotated[bool | None, Field(
            description="Let a model (yours through sampling, else the server's configured "
            "endpoint) name search words of its own, then pick among the top results with "
            "their summaries; two short model calls. "
            "Default: the server's setting (MCP_SRE_LLM_RERANK)")] = None,
        ctx: Context | None = None,
    ) -> list[SearchResult]:
        """Operations that do what the request asks, best first, out of every operation of
        every indexed spec (hybrid keyword + semantic search). A request that needs several
        operations (instances *and* their CPU metric; a failing pod's status, log and events)
        gets results for each part, reads before writes. Read one with get_api_spec."""
        retriever = state.retriever
        report = progress_reporter(ctx)
        await in_thread(retriever.ensure_index, report)
        results = await in_thread(lambda: retriever.search(query, provider, service, top_k,
                                                           decompose=True))
        note = retriever.dense_note()
        if note and ctx is not None:
            await ctx.warning(note)  # keyword-only results must not pass for the full pipeline
        if state.settings.llm_rerank if llm_rerank is None else llm_rerank:
            def search_more(words: str) -> list[SearchResult]:  # the model's own search words
                return retriever.search(query, provider, service, max(top_k, WINDOW),
                                        decompose=True, model_words=words)

            results = await _model_rerank(query, results, ctx, search_more)
        return results


async def _model_rerank(query: str, results: list[SearchResult], ctx: Context | None,
                        search_more: Callable[[str], list[SearchResult]]) -> list[SearchResult]:
    """The model's pick among the top 10, or the results as they were with a warning why."""
    try:
        choice = resolve_llm(client_session(ctx))
    except McpSreError as exc:  # a half-configured endpoint: say so, keep the ranking
        choice, why = None, str(exc)
    else:
        why = choice.label
    if choice is None or choice.llm is None:
        if ctx is not None:
            await ctx.warning(f"llm_rerank: no model to ask ({why}); results as ranked")
        return results
    outcome = await rerank_with_model(choice.llm, query, results, search_more=search_more)
    if outcome.note and ctx is not None:
        await ctx.warning(f"llm_rerank: {outcome.note}")
    return outcome.results
