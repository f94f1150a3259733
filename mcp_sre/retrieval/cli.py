"""CLI commands of the retrieval layer, attached to ``mcp-sre`` by the main CLI:
``mcp-sre search QUERY`` and ``mcp-sre eval retrieval FILE``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mcp_sre.errors import McpSreError

if TYPE_CHECKING:
    from mcp_sre.retrieval.llm_rerank import ModelRerankStage

__all__ = ["eval_group", "eval_retrieval", "search_command"]

_MODES = click.Choice(["bm25", "dense", "hybrid", "rerank"])


def _fail(exc: McpSreError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(1)


def _model_stage() -> ModelRerankStage:
    """The configured endpoint as a last stage, or a clear error when none is set."""
    from mcp_sre.llm.resolve import resolve_llm
    from mcp_sre.retrieval.llm_rerank import ModelRerankStage

    choice = resolve_llm()
    if choice.llm is None:
        raise McpSreError(f"--llm-rerank needs a model: {choice.label}; set MCP_SRE_LLM_BASE_URL "
                          "and MCP_SRE_LLM_MODEL to an OpenAI-compatible endpoint")
    return ModelRerankStage(choice.llm)


def _progress(done: int, total: int, message: str) -> None:
    if not message.startswith("checking"):
        click.echo(f"  {message}", err=True)


def _learner(settings: object) -> object:
    """Lessons from feedback for the search (None when MCP_SRE_LEARNING=0)."""
    from mcp_sre.learning import learner_from_settings

    return learner_from_settings(settings)


@click.command("search")
@click.argument("query")
@click.option("--provider", default=None, help="Only this provider (the first part of an operation id).")
@click.option("--service", default=None, help="Only this service (ec2, core_v1, ...).")
@click.option("--top", "top", type=int, default=10, show_default=True, help="How many results.")
@click.option("--mode", type=_MODES, default="rerank", show_default=True,
              help="Pipeline: keyword, dense, fused, or fused + rerank.")
@click.option("--whole", is_flag=True,
              help="Rank the request as one; by default a request that needs several "
                   "operations gets results for each part, as search_apis does.")
@click.option("--llm-rerank", is_flag=True,
              help="Let the configured endpoint (MCP_SRE_LLM_*) pick among the top 10.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def search_command(query: str, provider: str | None, service: str | None, top: int, mode: str,
                   whole: bool, llm_rerank: bool, as_json: bool) -> None:
    """Find the operations that do what QUERY asks (English or Chinese)."""
    from mcp_sre.config import load_settings
    from mcp_sre.llm.resolve import query_rewrite_llm
    from mcp_sre.retrieval.retriever import Retriever

    try:
        settings = load_settings()
        model_stage = _model_stage() if llm_rerank else None
        retriever = Retriever(settings, llm=query_rewrite_llm(settings),
                              learner=_learner(settings))
        if retriever.store.manifest() is None:
            click.echo("building the search index (first run)...", err=True)
        retriever.ensure_index(progress=None if as_json else _progress)
        results = retriever.search(query, provider=provider, service=service, top_k=top,
                                   mode=mode, decompose=not whole)  # type: ignore[arg-type]
        if model_stage is not None:
            from mcp_sre.retrieval.llm_rerank import WINDOW

            results = model_stage(query, results, lambda words: retriever.search(
                query, provider=provider, service=service, top_k=max(top, WINDOW),
                mode=mode, decompose=not whole, model_words=words))  # type: ignore[arg-type]
            if model_stage.stats.first_note:
                click.echo(f"warning: {model_stage.stats.first_note}", err=True)
        note = retriever.dense_note() if mode != "bm25" else None
        retriever.close()  # a background embedding build stops before the process ends
    except McpSreError as exc:
        _fail(exc)
        return
    if note:
        click.echo(f"warning: {note}", err=True)
    if as_json:
        click.echo(json.dumps([r.model_dump() for r in results], indent=2, ensure_ascii=False))
        return
    if not results:
        click.echo("no matching operations")
    for i, r in enumerate(results, 1):
        click.echo(f"{i:>2}. {r.id}  [{r.access}] {r.method} {r.endpoint}  ({r.score:.3f})")
        if r.summary:
            click.echo(f"    {r.summary[:160]}")
    if results and results[0].ref:
        click.echo(f"(ref {results[0].ref}: mcp-sre feedback {results[0].ref} right|wrong "
                   "[--correction OPERATION])")


@click.group("eval")
def eval_group() -> None:
    """Measure quality against labelled files."""


@eval_group.command("retrieval")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--mode", type=_MODES, default="rerank", show_default=True)
@click.option("--no-provider-filter", is_flag=True,
              help="Ignore the provider a case names: search as a request that names none "
                   "(the configured providers, MCP_SRE_PROVIDERS, else every one).")
@click.option("--wait-dense", is_flag=True,
              help="Finish embedding every operation before measuring.")
@click.option("--decompose", is_flag=True,
              help="Search as search_apis does: each part of a multi-part request covered.")
@click.option("--llm-rerank", is_flag=True,
              help="Add the model's pick among the top 10 as a last stage (the OpenAI-compatible "
                   "endpoint of MCP_SRE_LLM_BASE_URL / MCP_SRE_LLM_MODEL).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def eval_retrieval(file: Path, mode: str, no_provider_filter: bool, wait_dense: bool,
                   decompose: bool, llm_rerank: bool, as_json: bool) -> None:
    """Search each line of FILE ({"query", "provider", "gold": [ids], "parts"?: [[ids]]})
    and print n, top1, top3, mrr, recall@10, set_recall@10, p50_ms, p95_ms and the misses."""
    from mcp_sre.config import load_settings
    from mcp_sre.llm.resolve import query_rewrite_llm
    from mcp_sre.retrieval.evaluate import evaluate, load_cases
    from mcp_sre.retrieval.retriever import Retriever

    try:
        cases = load_cases(file)
        settings = load_settings()
        model_stage = _model_stage() if llm_rerank else None
        retriever = Retriever(settings, llm=query_rewrite_llm(settings))
        retriever.ensure_index(progress=None if as_json else _progress, wait_dense=wait_dense)
        report = evaluate(retriever, cases, mode=mode, use_provider=not no_provider_filter,
                          decompose=decompose, reorder=model_stage)
        note = retriever.dense_note() if mode != "bm25" else None
        retriever.close()  # a background embedding build stops before the process ends
    except McpSreError as exc:
        _fail(exc)
        return
    if note:
        click.echo(f"warning: {note}", err=True)
    if model_stage is not None:
        stats = model_stage.stats
        if not as_json:
            click.echo(f"model rerank: applied to {stats.applied} of {report.n} requests"
                       + (f"; first skip: {stats.first_note}" if stats.first_note else ""))
    scope = ",".join(settings.providers) if no_provider_filter and settings.providers else None
    if as_json:
        data = report.model_dump()
        data["dense"] = retriever.status()["dense"]
        if scope:
            data["providers"] = settings.providers
        if model_stage is not None:
            data["llm_rerank"] = model_stage.stats.model_dump()
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(f"n={report.n} top1={report.top1:.3f} top3={report.top3:.3f} mrr={report.mrr:.3f} "
               f"recall@10={report.recall10:.3f} set_recall@10={report.set_recall10:.3f} "
               f"p50_ms={report.p50_ms:.1f} p95_ms={report.p95_ms:.1f} mode={mode} "
               f"dense={retriever.status()['dense']}" + (f" providers={scope}" if scope else ""))
    for miss in report.misses:
        where = f"rank {miss.rank}" if miss.rank else "not in top 10"
        lacking = "; ".join("/".join(p) for p in miss.parts_missing)
        click.echo(f"  MISS ({where}) {miss.query!r}: want {', '.join(miss.gold)}; "
                   f"got {', '.join(miss.got)}" + (f"; parts not in top 10: {lacking}" if lacking else ""))
